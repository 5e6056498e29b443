export { startGateway } from './gateway.js';
export type { StartGatewayOptions, RunningGateway } from './gateway.js';
export { resolveConfig, DEFAULTS } from './config.js';
export type { GatewayConfig } from './config.js';
export type { DataKeyEvent, DataKeyObserver } from './sse/data-key-observer.js';
