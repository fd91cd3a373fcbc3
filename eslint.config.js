// @ts-check
const tseslint = require('typescript-eslint');

/** Workflow code runs in Temporal's deterministic sandbox: no I/O libraries, no Node builtins. */
const workflowRestrictions = {
  patterns: [
    { group: ['node:*'], message: 'Workflows are deterministic: do I/O in an activity.' },
    { group: ['@prisma/*', '**/prisma/generated/*', '**/common/db'], message: 'Database access belongs in activities.' },
    { group: ['ethers', 'ethers/*'], message: 'Chain access belongs in activities.' },
    { group: ['pino', 'pino-*'], message: 'Use the workflow logger from @temporalio/workflow.' },
    { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows may import only @temporalio/workflow and @temporalio/common.' },
  ],
  paths: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os', 'express', 'pg', 'zod'].map((name) => ({
    name,
    message: 'Workflows are deterministic: do I/O in an activity.',
  })),
};

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/', 'prisma/generated/', 'contracts/build/', '**/*.js', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', workflowRestrictions],
      // Only type imports of activities: their code must never be bundled into a workflow.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
