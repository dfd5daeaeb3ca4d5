import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/** Runs a script in a fresh Node process (sources compiled by swc, as the CLI runs them) and returns its output. */
function inFreshNode(script: string): string {
  return execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RAPPORT_BUS: 'none', RAPPORT_EVENT_STORE: 'postgres', SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
  }).trim();
}

const kafkajsLoaded = `Object.keys(require.cache).some((file) => file.includes('/node_modules/kafkajs/'))`;

describe('embedded mode (RAPPORT_BUS=none)', () => {
  it('loads no Kafka client: the modes, the bus config and the whole @rapport/kafka entry point leave kafkajs unloaded', () => {
    const output = inFreshNode(`
      const kafka = require('@rapport/kafka');
      require('@rapport/projections');
      const modes = kafka.loadModes(process.env);
      console.log(JSON.stringify({ bus: modes.bus.mode, store: modes.store.kind, kafkajs: ${kafkajsLoaded} }));
    `);
    expect(JSON.parse(output.split('\n').pop()!)).toEqual({ bus: 'none', store: 'postgres', kafkajs: false });
  });

  it('loads kafkajs the moment a Kafka client is made (the check above can see it)', () => {
    const output = inFreshNode(`
      const kafka = require('@rapport/kafka');
      const before = ${kafkajsLoaded};
      kafka.createKafkaClient({ brokers: ['localhost:9092'], clientId: 'probe', ssl: false });
      console.log(JSON.stringify({ before, after: ${kafkajsLoaded} }));
    `);
    expect(JSON.parse(output.split('\n').pop()!)).toEqual({ before: false, after: true });
  });
});
