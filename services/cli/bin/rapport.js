#!/usr/bin/env node
// Runs the TypeScript sources directly: swc compiles on load, keeping decorator metadata for Nest.
require('@swc-node/register');
require('../src/main.ts');
