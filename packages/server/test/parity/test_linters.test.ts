// Parity with DjangoChannelsGraphqlWs tests/test_linters.py: the Python suite runs
// pylint, black, isort and mypy over the library and its tests. gqlcast's
// equivalents are biome (lint, format, import order) and tsc; `npm test`
// (scripts/test.sh) runs them over the whole repository before vitest. Here they
// run over the server package (source and tests), the package these ports check.
// Protocol-independent: no socket.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../../../../node_modules/.bin/${name}`, import.meta.url));

async function passes(file: string, args: string[]): Promise<string> {
  try {
    await run(file, args, { cwd: serverDir, maxBuffer: 16 * 1024 * 1024 });
    return 'ok';
  } catch (error) {
    const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
    return `${message}\n${stdout}${stderr}`.slice(0, 4000);
  }
}

describe('tests/test_linters.py (server package)', () => {
  it('test_pylint (tests/test_linters.py)', async () => {
    expect(await passes(bin('biome'), ['lint', '--error-on-warnings', 'src', 'test'])).toBe('ok');
  });

  it('test_black (tests/test_linters.py)', async () => {
    expect(await passes(bin('biome'), ['format', 'src', 'test'])).toBe('ok');
  });

  it('test_isort (tests/test_linters.py)', async () => {
    // Import order is biome's `organizeImports` assist, checked by `biome check` with lint and format off.
    expect(
      await passes(bin('biome'), ['check', '--linter-enabled=false', '--formatter-enabled=false', 'src', 'test']),
    ).toBe('ok');
  });

  it('test_mypy (tests/test_linters.py)', async () => {
    expect(await passes(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'])).toBe('ok');
  }, 180_000);
});
