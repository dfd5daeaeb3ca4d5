#!/usr/bin/env node
// Runs the TypeScript sources directly: swc compiles on load, keeping decorator metadata for Nest.
//
// Long-running commands get a bounded V8 heap and a larger young generation: without a cap V8
// lets garbage pile up to hundreds of MB on a big machine, and a small young generation makes
// the ingest path spend its time in the scavenger. Node reads these flags only at start, so the
// command re-runs itself once with them and forwards signals to that child.
const HEAP_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];
const LONG_RUNNING = new Set(['up', 'bench']);

const configured = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) =>
  flag.startsWith('--max-old-space-size'),
);
if (LONG_RUNNING.has(process.argv[2]) && !configured) {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...HEAP_FLAGS, ...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // Its own process group: a terminal's Ctrl-C reaches only this launcher, which forwards it once.
    detached: true,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
} else {
  // Started by the launcher above: if it dies (even by SIGKILL), stop cleanly instead of lingering.
  if (process.send) process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // swc reads the compiler options (decorators, metadata) from the repository's tsconfig, whatever the cwd.
  process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', '..', '..', 'tsconfig.json');
  require('@swc-node/register');
  require('../src/main.ts');
}
