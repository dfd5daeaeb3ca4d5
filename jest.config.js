// One jest run for the whole repo: one embedded PostgreSQL serves every spec file,
// each of which makes its own database (libs/testing).
const { readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const tsTransform = ['@swc/jest', { ...swc, swcrc: false }];
const { paths } = require('./tsconfig.base.json').compilerOptions;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([name, [target]]) => [`^${name}$`, `<rootDir>/${target}`]),
);

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{contracts,libs,services,test,tools}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.bench\\.'],
  transform: { '^.+\\.ts$': tsTransform },
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  maxWorkers: process.env.CI ? 2 : '50%',
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
  forceExit: false,
};
