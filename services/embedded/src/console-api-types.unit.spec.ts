import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

// openapi-typescript is an ES module that jest's CommonJS runtime cannot load, so the check runs
// in its own node process, the same script the console build runs.
describe("the console's generated API types", () => {
  it('match what the OpenAPI document generates today (regenerate: npm run api-types -w @rapport/console)', () => {
    const check = spawnSync(process.execPath, ['-r', '@swc-node/register', 'services/embedded/scripts/write-console-types.ts', '--check'], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    expect(check.stdout).toContain('services/console/src/api/schema.d.ts is current');
  }, 120_000);
});
