export { createTestDatabase, TEST_SERVER_ENV, type TestDatabase } from './test-database';
export { CRASH_BATCH_SIZE, killAtCrashPoint, openCrashTestbed, runUntilKilled, type CrashReport, type CrashTestbed } from './crash';
export { whyNoDocker, describeWithDocker } from './docker';
