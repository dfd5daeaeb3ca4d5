export { createTestDatabase, TEST_SERVER_ENV, type TestDatabase } from './test-database';
export { whyNoDocker, describeWithDocker } from './docker';
