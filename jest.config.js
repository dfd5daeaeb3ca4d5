// One jest run for the whole repo: one embedded PostgreSQL serves every spec file,
// each of which makes its own database (libs/testing).
const { readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const tsTransform = ['@swc/jest', { ...swc, swcrc: false }];
const { paths } = require('./tsconfig.base.json').compilerOptions;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([name, [target]]) => [`^${name}$`, `<rootDir>/${target}`]),
);

// Specs that run in a pass of their own after the rest (`RAPPORT_JEST_SERIAL=1`), not beside
// other suites on the shared test server. The timeline rebuild e2e has, in a few full parallel
// runs, seen the newest entries missing from one read during the switch; it passes alone every
// time. Until that is understood it runs alone, so the suite stays green without hiding it.
const SERIAL = ['services/timeline/src/timeline-entries/rebuild.e2e.spec.ts'];
const serialPass = process.env.RAPPORT_JEST_SERIAL === '1';

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: serialPass ? SERIAL.map((spec) => `<rootDir>/${spec}`) : ['<rootDir>/{contracts,libs,services,test,tools}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.bench\\.', ...(serialPass ? [] : SERIAL)],
  transform: { '^.+\\.ts$': tsTransform },
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  maxWorkers: process.env.CI ? 2 : '50%',
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
  forceExit: false,
};
