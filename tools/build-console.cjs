// Builds the console (services/console → dist/) before `npm start` and `npm test`, when its
// sources are newer than the build: a fresh clone gets it, an unchanged tree skips it (~2 s).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const app = join(root, 'services/console');
const built = join(app, 'dist/index.html');

function newestIn(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestIn(join(path, name))));
}

const sources = ['src', 'index.html', 'vite.config.mts', 'package.json'].map((name) => join(app, name));
const stale = !existsSync(built) || Math.max(...sources.map(newestIn)) > statSync(built).mtimeMs;
if (stale || process.argv.includes('--force')) {
  console.log('rapport: building the console (services/console) …');
  const vite = join(require.resolve('vite/package.json', { paths: [app] }), '..', 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('rapport: the console build failed (see above)');
    process.exit(result.status ?? 1);
  }
}
