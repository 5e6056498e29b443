// One jest run over every package: TypeScript sources are transpiled by ts-jest as ESM
// (lowdb is ESM-only), and workspace packages resolve to their sources, not dist/.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/{gateway,kms-core,storage,test}/src/**/*.test.ts'],
  moduleNameMapper: {
    '^@kmsgate/(kms-core|storage|gateway)$': '<rootDir>/$1/src/index.ts',
    // The contract suite is not built into storage's dist; its test entry is the source.
    '^@kmsgate/storage/testing$': '<rootDir>/storage/src/contract.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/scripts/jest-summary.cjs'],
};
