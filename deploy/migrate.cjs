// One-shot schema set-up for the scaled stack (the Kubernetes Job and the compose `migrate`
// service run it): event store, API keys, staff accounts, relay checkpoints, projection runtime. Every step
// is idempotent, and each service would also do its own part at start.
require('@swc-node/register');
const { Pool } = require('pg');
const { loadStoreSelection, openEventStore, RelayCheckpoints } = require('@rapport/kafka');
const { Keyring } = require('@rapport/personal-data');
const { ApiKeyStore, StaffStore } = require('@rapport/platform');
const { migrateRuntime, poolDatabase } = require('@rapport/projections');

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL: required, not set');
  const selection = loadStoreSelection(process.env);
  const store = await openEventStore(selection, { connectionString: databaseUrl, schema: process.env.EVENT_STORE_SCHEMA || undefined });
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await new ApiKeyStore(pool).migrate();
    await new StaffStore(pool, 'rapport_auth').migrate();
    // Only the schema: no master key is needed to create it.
    await new Keyring(pool, { currentId: '', keys: new Map() }).migrate();
    await RelayCheckpoints.open(pool);
    await migrateRuntime(poolDatabase(pool));
    console.log(`migrated: event store (${selection.kind}), API keys, staff accounts, data keys, relay checkpoints, projection runtime`);
  } finally {
    await store.close();
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
