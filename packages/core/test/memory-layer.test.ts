import { memoryLayer, silentLogger } from '../src/index.js';
import { layerConformance } from '../src/testing/index.js';

// The memory layer has one bus per instance, so the cross-instance test does not apply.
layerConformance('memoryLayer', () => memoryLayer({ logger: silentLogger }), { retains: true });
