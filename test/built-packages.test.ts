import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));

// Runs after `pnpm -r build` in the test command: proves the published files work without vitest's aliases.
it('runs a subscription end to end on the built packages in plain Node', async () => {
  const { stdout } = await run(process.execPath, ['fixtures/built-packages.mjs'], { cwd: here });
  expect(JSON.parse(stdout)).toEqual({ data: { messages: 'bob: hello' } });
});

it('runs the same without @opentelemetry/api installed (an optional peer: tracing is simply off)', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--require', './fixtures/without-opentelemetry.cjs', 'fixtures/built-packages.mjs'],
    { cwd: here },
  );
  expect(JSON.parse(stdout)).toEqual({ data: { messages: 'bob: hello' } });
});

it('serves graphql-ws programs through @gqlcast/server/graphql-ws without loading zod (nor the channels)', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', './fixtures/without-zod.mjs', 'fixtures/compat-entry.mjs', '@gqlcast/server/graphql-ws'],
    { cwd: here },
  );
  expect(JSON.parse(stdout)).toEqual({ data: { hello: 'world' } });
  // The guard works: the core's main entry does load zod.
  await expect(
    run(process.execPath, ['--import', './fixtures/without-zod.mjs', '-e', "await import('@gqlcast/core')"], {
      cwd: here,
    }),
  ).rejects.toThrow(/zod was loaded/);
});
