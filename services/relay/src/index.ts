export { createRelayApp, relayReadiness, type RelayAppOptions } from './app';
export { loadRelayConfig, type RelayConfig } from './config';
