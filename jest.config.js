/** Three levels (STYLE.md): unit tests beside the code; contract tests on their own anvil;
 * workflow and integration tests against the real stack started once by the global setup. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };
const ignore = ['/node_modules/', '/dist/', '/.data/', '/.tools/'];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      transform,
      testEnvironment: 'node',
      testPathIgnorePatterns: ignore,
      testMatch: ['<rootDir>/{activities,api,common,prisma,scripts,workers}/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'contracts',
      transform,
      testEnvironment: 'node',
      testPathIgnorePatterns: ignore,
      testMatch: ['<rootDir>/contracts/test/**/*.test.ts'],
    },
    {
      displayName: 'system',
      transform,
      testEnvironment: 'node',
      testPathIgnorePatterns: ignore,
      testMatch: ['<rootDir>/workflows/**/*.test.ts', '<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
    },
  ],
};
