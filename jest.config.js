// Three tiers, named by file suffix (see docs/testing.md):
//   *.spec.ts      pure and fast, run in parallel
//   *.int-spec.ts  real Redis / FFmpeg / SQS-protocol server, run serially
//   *.e2e-spec.ts  the whole stack, run serially
//   *.fault-spec.ts the stack as separate processes, with faults injected, run serially
// Nest builds (npm run build) compile the whole tsconfig.build.json program and rewrite the
// @ezlive/* aliases; one `nest build` emits all three apps.
// SWC strips types only (scripts/lib/swc-options.js); `npm run typecheck` is the type gate.
const swc = ['@swc/jest', require('./scripts/lib/swc-options')];
const moduleNameMapper = {
  '^@ezlive/(domain|ffmpeg|infra)$': '<rootDir>/libs/$1/src',
  '^@ezlive/(domain|ffmpeg|infra)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['**/*.int-spec.ts'], slowTestThreshold: 30 },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e-spec.ts'], slowTestThreshold: 60 },
    { ...common, displayName: 'faults', testMatch: ['**/*.fault-spec.ts'], slowTestThreshold: 90 },
  ],
};
