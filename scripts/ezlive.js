#!/usr/bin/env node
// The `ezlive` CLI (replay, projections). Runs the compiled CLI, building it first when it is
// missing or older than the sources (build messages go to stderr; stdout is the CLI's).
const { join } = require('node:path');
const { ensureBuilt } = require('./lib/prereqs');

const compiled = join(__dirname, '..', 'dist/libs/infra/src/cli/ezlive-cli.js');
if (!ensureBuilt(compiled, (line) => console.error(line))) {
  console.error('ezlive: could not build the CLI (npx nest build failed)');
  process.exit(1);
}
require(compiled)
  .runCli(process.argv.slice(2))
  .then((code) => process.exit(code));
