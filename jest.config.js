/** Three tiers (STYLE.md): unit (*.spec.ts), medium (*.medium-spec.ts: one module on real services),
 *  e2e (test/**\/*.e2e-spec.ts: the apps as processes). Types are checked by `npm run typecheck`,
 *  so ts-jest only transpiles. */
const moduleNameMapper = {
  '^@gatehouse/contracts(.*)$': '<rootDir>/libs/contracts/src$1',
  '^@gatehouse/crypto(.*)$': '<rootDir>/libs/crypto/src$1',
  '^@gatehouse/persistence(.*)$': '<rootDir>/libs/persistence/src$1',
  '^@gatehouse/platform(.*)$': '<rootDir>/libs/platform/src$1',
  '^@gatehouse/downstream-kit(.*)$': '<rootDir>/libs/downstream-kit/src$1',
  '^@gatehouse/testing(.*)$': '<rootDir>/test/support$1',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }],
};
const base = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
};

// Timeouts bound every test; the e2e project is run with --maxWorkers=1 by scripts/test.sh
// (each of its files starts three app processes, too many at once for two cores).
module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'medium',
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.medium-spec.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
