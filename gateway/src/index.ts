export { startGateway } from './gateway.js';
export type { StartGatewayOptions, RunningGateway } from './gateway.js';
export { resolveConfig, DEFAULTS } from './config.js';
export type { GatewayConfig } from './config.js';
export type { DataKeyEvent, DataKeyObserver } from './sse/data-key-observer.js';
// One hash-tap stream for everything that hashes a stream in passing, the tests included.
export { hashTap, type HashTap } from './checksums/hash-tap.js';
