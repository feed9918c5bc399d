import type { ContenderModule } from './api.js';

/** The layers a contender serves (see `ContenderModule.layers`, and its fallback when absent). */
export function layersOf(module: ContenderModule): ('memory' | 'redis')[] {
  if (module.layers) return [...module.layers];
  if (!module.startPublisher) return ['memory'];
  return /redis$/i.test(module.id) ? ['redis'] : ['memory', 'redis'];
}
