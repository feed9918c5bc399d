import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(`${root}packages`);
const docsBase = 'https://github.com/gqlcast/gqlcast/blob/main/';

// A package README is read on the registry's page, where relative links are broken.
describe.each(packages)('packages/%s', (name) => {
  const readme = readFileSync(`${root}packages/${name}/README.md`, 'utf8');
  const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1] as string);

  it('links only to absolute addresses, and each docs link names a file of the repository', () => {
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link).toMatch(/^https:\/\//);
      if (link.startsWith(docsBase))
        expect(existsSync(`${root}${link.slice(docsBase.length).split('#')[0]}`)).toBe(true);
    }
  });

  it('ships its LICENSE, CHANGELOG and repository metadata', () => {
    const manifest = JSON.parse(readFileSync(`${root}packages/${name}/package.json`, 'utf8'));
    expect(readFileSync(`${root}packages/${name}/LICENSE`, 'utf8')).toBe(readFileSync(`${root}LICENSE`, 'utf8'));
    expect(existsSync(`${root}packages/${name}/CHANGELOG.md`)).toBe(true);
    expect(manifest.files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md']));
    expect(manifest.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/gqlcast/gqlcast.git',
      directory: `packages/${name}`,
    });
    expect(manifest.license).toBe('MIT');
  });
});
