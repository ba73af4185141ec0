#!/usr/bin/env node
// Runs one command and ties its life to the launcher's. `npm start` spawns every process
// through this in its own process group (detached), so a terminal's Ctrl-C reaches only the
// launcher, which then stops the apps in order (workers drain while Redis and the SQS
// server are still up). If the launcher dies without stopping us — even by SIGKILL — the
// IPC channel closes and we stop the command the same way: no orphans either way.
//
//   node tether.js <command> [args…]      (spawned with an 'ipc' stdio slot)
const { spawn } = require('node:child_process');
const { constants } = require('node:os');

const [command, ...args] = process.argv.slice(2);
const graceMs = Number(process.env.EZ_TETHER_GRACE_MS ?? 15_000);
if (!command) {
  console.error('usage: tether.js <command> [args…]');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit' });
let killTimer;

function stop(signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('disconnect', () => stop('SIGTERM'));
child.on('error', (err) => {
  console.error(`${command}: ${err.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(killTimer);
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
