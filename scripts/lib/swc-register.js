// `node -r ./scripts/lib/swc-register file.ts`: runs TypeScript compiled by SWC as each file is
// required, with the @ezlive/* aliases resolved (tsconfig-paths): how the benchmarks run.
// ts-node would do the same, but it loads the TypeScript compiler into the measured process:
// some 35 MB more heap for every major GC to mark, which the deployed apps (compiled by
// `nest build`) never carry. bench/worker measured the worker's CPU at ~0.055 of FFmpeg's under
// ts-node and ~0.042 for the same code compiled ahead of time or by this hook.
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');
const options = require('./swc-options');

addHook((code, filename) => transformSync(code, { ...options, filename }).code, {
  exts: ['.ts'],
  ignoreNodeModules: true,
});
require('tsconfig-paths/register');
