export { collect, type Deferred, deferred } from './helpers.js';
export { type LayerConformanceOptions, layerConformance } from './layer-conformance.js';
