// Every published package has the shape users and bundlers expect, and its
// built entry points load in plain Node (run after `pnpm -r build`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
const names = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, 'package.json')));

interface ExportTarget {
  /** Only for packages with a browser build (the client): its own source and build. */
  browser?: { '@gqlcast/source': string; default: string };
  '@gqlcast/source': string;
  types: string;
  /** ESM; `default` so that Node 20.19+ can also require() it (docs/packaging.md). */
  default: string;
}

describe.each(names)('packages/%s', (name) => {
  const dir = join(packagesDir, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('is an ESM package with the fields npm and bundlers rely on', () => {
    expect(pkg.name).toBe(`@gqlcast/${name}`);
    expect(pkg.type).toBe('module');
    // Only a package that registers itself on import (the Pothos plugin) lists its side-effect files.
    if (Array.isArray(pkg.sideEffects)) expect(pkg.name).toBe('@gqlcast/pothos');
    else expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('MIT');
    expect(pkg.engines?.node).toMatch(/^>=20/);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(pkg.packageManager).toBeUndefined();
  });

  it('has a README that links to the docs', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/\(https:\/\/github\.com\/gqlcast\/gqlcast\/blob\/main\/docs\/[a-z-]+\.md\)/);
  });

  it('exports built ESM files with type declarations, and they load in Node', async () => {
    const entries = Object.entries(pkg.exports as Record<string, ExportTarget | string>).filter(
      ([subpath]) => subpath !== './package.json',
    );
    expect(entries.length).toBeGreaterThan(0);
    for (const [subpath, target] of entries) {
      if (typeof target === 'string') throw new Error(`export ${subpath} needs conditions`);
      const browser = target.browser;
      expect(Object.keys(target).sort()).toEqual(
        [...(browser ? ['browser'] : []), '@gqlcast/source', 'types', 'default'].sort(),
      );
      const files = [target['@gqlcast/source'], target.types, target.default];
      if (browser) files.push(browser['@gqlcast/source'], browser.default);
      for (const file of files) {
        expect(existsSync(join(dir, file)), `${name}: ${subpath} -> ${file}`).toBe(true);
      }
      // The testing entry imports vitest, which is available here.
      const module = await import(pathToFileURL(join(dir, target.default)).href);
      expect(Object.keys(module).length).toBeGreaterThan(0);
    }
  });
});
