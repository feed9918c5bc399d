// The contender modules, loaded once in the runner for their metadata (role, layers, versions):
// a module that fails to load is a missing contender, which fails the run.
import { readFileSync } from 'node:fs';
import type { ContenderModule } from '../contenders/api.js';
import { layersOf } from '../contenders/layers.js';
import { benchDir } from './child.js';
import type { ScenarioId } from './profile.js';

/** The scenarios of this run that `contender` takes part in. */
export function scenariosOf(contender: ContenderInfo, scenarios: ReadonlySet<ScenarioId>): ReadonlySet<ScenarioId> {
  const own = contender.scenarios;
  return own === undefined ? scenarios : new Set([...scenarios].filter((scenario) => own.has(scenario)));
}

/** Every contender the full suite runs, in report order. */
export const memoryIds = [
  'gqlcast',
  'gqlcast-noshare',
  'gqlcast-jit',
  'gqlcast-otel-off',
  'gqlcast-otel-sdk',
  'gws-yoga',
  'gws-apollo',
  'gws-compat',
  'gws-jit',
  'mercurius',
  'l-raw',
  'l-frame',
];
export const redisIds = [
  'gqlcast',
  'gqlcast-retain',
  'gqlcast-jit',
  'gws-redis',
  'yoga-redis',
  'mercurius-redis',
  'l-redis',
];

export interface ContenderInfo {
  /** The file id (`l-raw`), used on the command line and to start the host. */
  file: string;
  /** The module's own id (`L-raw`), used in reports. */
  id: string;
  role: ContenderModule['role'];
  description: string;
  layers: ('memory' | 'redis')[];
  versions: Record<string, string>;
  /** The scenarios it takes part in; `undefined`: every scenario of its layers. */
  scenarios: ReadonlySet<ScenarioId> | undefined;
}

/** The installed version of an npm package (bench's own dependency tree). */
export function versionOf(name: string): string {
  for (const base of [`${benchDir}node_modules/${name}`, `${benchDir}../node_modules/${name}`]) {
    try {
      return (JSON.parse(readFileSync(`${base}/package.json`, 'utf8')) as { version: string }).version;
    } catch {}
  }
  return 'not installed';
}

export async function loadContender(file: string): Promise<ContenderInfo> {
  const module = ((await import(`../contenders/${file}.ts`)) as { default?: ContenderModule }).default;
  if (!module || typeof module.startServer !== 'function')
    throw new Error(`${file}.ts has no ContenderModule default export`);
  return {
    file,
    id: module.id,
    role: module.role,
    description: module.description,
    layers: layersOf(module),
    versions: Object.fromEntries(module.packages.map((name) => [name, versionOf(name)])),
    scenarios: module.scenarios === undefined ? undefined : new Set(module.scenarios),
  };
}
