import { loadConfigs, type Env } from '@rapport/platform';
import { loadStoreSelection, type StoreSelection } from '@rapport/event-store';
import { loadBusConfig, type BusConfig } from './bus-config';

/** The two switches between embedded and scaled deployments, read together at boot. */
export interface Modes {
  readonly store: StoreSelection;
  readonly bus: BusConfig;
}

/**
 * Reads both switches and reports every problem of both at once, so an operator fixes
 * the environment in one go. Loads neither kafkajs nor a store client.
 */
export function loadModes(source: Env = process.env): Modes {
  return Object.freeze(
    loadConfigs({ store: () => loadStoreSelection(source), bus: () => loadBusConfig(source) }, 'the deployment mode (RAPPORT_EVENT_STORE, RAPPORT_BUS)'),
  );
}
