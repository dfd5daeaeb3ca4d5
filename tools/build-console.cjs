// Builds the console (services/console → dist/) before `npm start` and `npm test`, when its
// sources are newer than the build: a fresh clone gets it, an unchanged tree skips it. Each build
// first regenerates src/api/schema.d.ts from the OpenAPI document (rewritten only when it changed).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const app = join(root, 'services/console');
const built = join(app, 'dist/index.html');

// The console's API types come from the platform's OpenAPI document. An image stage that copies only
// services/console has no platform sources and builds with the committed types instead.
function writeApiTypes() {
  const script = join(root, 'services/embedded/scripts/write-console-types.ts');
  if (!existsSync(script)) {
    console.log('rapport: platform sources absent, using the committed console API types');
    return;
  }
  const env = { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') };
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', script], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('rapport: generating the console API types failed (see above)');
    process.exit(result.status ?? 1);
  }
}

function newestIn(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestIn(join(path, name))));
}

const sources = ['src', 'index.html', 'vite.config.mts', 'package.json'].map((name) => join(app, name));
const stale = !existsSync(built) || Math.max(...sources.map(newestIn)) > statSync(built).mtimeMs;
if (stale || process.argv.includes('--force')) {
  console.log('rapport: building the console (services/console) …');
  writeApiTypes();
  const vite = join(require.resolve('vite/package.json', { paths: [app] }), '..', 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('rapport: the console build failed (see above)');
    process.exit(result.status ?? 1);
  }
}
