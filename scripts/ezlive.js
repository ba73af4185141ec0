#!/usr/bin/env node
// The `ezlive` CLI (replay, projections). Runs the compiled CLI, building it first when missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const compiled = join(root, 'dist/libs/infra/src/cli/ezlive-cli.js');
if (!existsSync(compiled)) {
  const build = spawnSync('npx', ['nest', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.error('ezlive: could not build the CLI (npx nest build failed)');
    process.exit(1);
  }
}
require(compiled)
  .runCli(process.argv.slice(2))
  .then((code) => process.exit(code));
