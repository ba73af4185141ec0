// Shared by `npm start` and `npm test`: install what is missing, or fail with an exact message.
const { spawnSync, spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync, statSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}

function has(binary) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { stdio: 'ignore' }).status === 0;
}

function newestSource(dir) {
  if (!existsSync(dir)) return 0; // an installed package ships dist/ only
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * `nest build` when `compiled` (a file under dist/) is missing or older than any TypeScript
 * source under apps/ or libs/, so nothing runs yesterday's code. False when the build failed.
 */
function ensureBuilt(compiled, log = console.log) {
  const newest = Math.max(
    newestSource(path.join(root, 'apps')),
    newestSource(path.join(root, 'libs')),
  );
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newest) return true;
  log('› building (nest build)…');
  // Compiler output on stderr: stdout belongs to the caller (the ezlive CLI prints there).
  return run('npx', ['nest', 'build'], { stdio: ['ignore', process.stderr, process.stderr] });
}

/** npm dependencies: `npm ci` when node_modules is missing or older than the lock file. */
function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lockFile = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockFile).mtimeMs) return;
  console.log('› installing npm dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-audit', '--no-fund']))
    fail('npm ci failed: see the npm output above');
}

let aptUpdated = false;
/** A Debian package's binary; installed with apt-get when running as root. */
function ensureBinary(binary, aptPackage) {
  if (has(binary)) return;
  if (process.getuid && process.getuid() !== 0) {
    fail(`'${binary}' is not installed. Install it with: sudo apt-get install -y ${aptPackage}`);
  }
  console.log(`› installing ${aptPackage} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated && !run('apt-get', ['update', '-qq'], { env })) fail('apt-get update failed');
  aptUpdated = true;
  if (!run('apt-get', ['install', '-y', '-qq', aptPackage], { env }))
    fail(`apt-get install ${aptPackage} failed`);
  if (!has(binary)) fail(`'${binary}' is still missing after installing ${aptPackage}`);
}

function ping(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * `command` through scripts/lib/tether.js, in a process group of its own: a terminal's
 * Ctrl-C reaches only us, and the command still stops when we die, however we die.
 */
function spawnTethered(command, args, options = {}) {
  const [stdin = 'ignore', stdout = 'ignore', stderr = 'ignore'] =
    typeof options.stdio === 'string' ? Array(3).fill(options.stdio) : (options.stdio ?? []);
  return spawn(process.execPath, [path.join(__dirname, 'tether.js'), command, ...args], {
    ...options,
    detached: true,
    stdio: [stdin, stdout, stderr, 'ipc'],
  });
}

/** SIGKILL a tethered child's whole process group (the tether, its command, their children). */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Redis at REDIS_URL, or a private redis-server on a free loopback port that lives as
 * long as the caller (stopped by the returned `stop`, and killed with us on exit).
 */
async function ensureRedis(url = process.env.REDIS_URL || 'redis://127.0.0.1:6379') {
  if (await ping(url)) return { url, stop: async () => {} };
  if (process.env.REDIS_URL) fail(`REDIS_URL=${process.env.REDIS_URL} does not answer PING`);
  ensureBinary('redis-server', 'redis-server');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ezlive-redis-'));
  const child = spawnTethered(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // Each job has a small stream of its own; 4096 (the default) preallocates 4 KB for it
      // (docs/deployment.md#redis-memory).
      '--stream-node-max-bytes',
      '2048',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  process.once('exit', () => killGroup(child));
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await ping(privateUrl)); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await ping(privateUrl))) fail(`could not start redis-server on port ${port}`);
  console.log(`› started a private redis-server at ${privateUrl}`);
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: privateUrl, stop };
}

module.exports = {
  root,
  fail,
  run,
  has,
  ensureNodeModules,
  ensureBinary,
  ensureRedis,
  ensureBuilt,
  freePort,
  spawnTethered,
  killGroup,
};
