export { type InProcessTransportOptions, inProcessTransport } from './in-process.js';
