// The one SWC configuration for running the TypeScript sources without a type check: the Jest
// tiers (@swc/jest) and the benchmarks (./swc-register) compile with it. It strips types only;
// `npm run typecheck` is the type gate.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};
