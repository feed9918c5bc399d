import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

it('runs the demo once: each subscriber gets exactly its messages, in order', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@gqlcast/source', '--import', 'tsx', 'src/main.ts', '--once'],
    { cwd: root },
  );
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/ \(\d{4}-[^)]+\)$/, ''));
  expect(lines[0]).toBe('alice joined room:kittens, bob joined room:puppies');
  expect(lines[1]).toMatch(/^refused: Invalid payload for channel "chatMessages" \(group "room:kittens"\)/);
  expect(lines.filter((line) => line.startsWith('alice <-'))).toEqual([
    'alice <- [kittens] Anonymous: Hi all!',
    'alice <- [*] system: Server restarts at noon',
  ]);
  expect(lines.filter((line) => line.startsWith('bob <-'))).toEqual([
    'bob <- [puppies] user: Woof',
    'bob <- [*] system: Server restarts at noon',
  ]);
  expect(lines).toContain("alice's subscription ended (unsubscribe)");
  expect(lines).toContain("bob's subscription ended (unsubscribe)");
});
