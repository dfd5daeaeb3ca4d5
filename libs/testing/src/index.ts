export { createTestDatabase, TEST_SERVER_ENV, type TestDatabase } from './test-database';
export { CRASH_BATCH_SIZE, killAtCrashPoint, runUntilKilled, type CrashReport } from './crash';
export { whyNoDocker, describeWithDocker } from './docker';
