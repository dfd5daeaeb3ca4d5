import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/**
 * Loads what the standalone process loads (app, config, source) in a fresh Node and builds
 * the projector's source from the environment; a store stand-in answers headPosition only,
 * which is all a source asks of it before it starts.
 */
function projectorIn(environment: Record<string, string>): { name: string; head: number; kafkajs: boolean } {
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      '-e',
      `require('./services/timeline/src/app');
       const { loadTimelineConfig } = require('./services/timeline/src/config');
       const { projectorSource } = require('./services/timeline/src/projector-source');
       const config = loadTimelineConfig(process.env);
       const source = projectorSource({ bus: config.bus, store: { headPosition: async () => 41 } });
       source.headPosition().then((head) => console.log(JSON.stringify({
         name: source.name,
         head,
         kafkajs: Object.keys(require.cache).some((file) => file.includes('/node_modules/kafkajs/')),
       })));`,
    ],
    { cwd: root, encoding: 'utf8', env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: 'postgres://rapport:secret@postgres:5432/rapport',
        RAPPORT_MASTER_KEYS: `main-1:${Buffer.alloc(32, 7).toString('base64')}`,
        RAPPORT_MASTER_KEY_ID: 'main-1',
        ...environment,
      } },
  );
  return JSON.parse(output.trim().split('\n').pop()!);
}

describe('the timeline projector source', () => {
  it('follows the event store and never loads kafkajs with RAPPORT_BUS=none', () => {
    expect(projectorIn({ RAPPORT_BUS: 'none' })).toEqual({ name: 'event-store', head: 41, kafkajs: false });
  });

  it('consumes the customer-events topic with RAPPORT_BUS=kafka, loading kafkajs only then, lag measured against the store', () => {
    expect(projectorIn({ RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092' })).toEqual({ name: 'kafka:rapport.customer-events.v1', head: 41, kafkajs: true });
  });
});
