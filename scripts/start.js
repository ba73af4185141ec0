#!/usr/bin/env node
// `npm start`: the whole system on one machine — Redis, an SQS/S3-protocol server, api,
// scheduler and N workers as separate processes with prefixed logs. Ctrl-C stops all of it.
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const {
  root,
  fail,
  ensureNodeModules,
  ensureBinary,
  ensureRedis,
  ensureBuilt,
  spawnTethered,
  killGroup,
} = require('./lib/prereqs');

const workers = Number(process.env.EZ_WORKERS ?? 1);
// Every port and the state directory can be moved, so a second stack (tests) can run beside one.
const ports = {
  api: Number(process.env.API_PORT ?? 8080),
  scheduler: Number(process.env.SCHEDULER_PORT ?? 8081),
  worker: Number(process.env.WORKER_PORT ?? 8082),
  rtmp: Number(process.env.RTMP_PORT ?? 1935),
  sqs: Number(process.env.SQS_PORT ?? 4566),
};
const state = path.resolve(root, process.env.EZ_STATE_DIR ?? '.ezlive');
const lock = path.join(state, 'start.pid');
const COLORS = { api: 36, scheduler: 35, sqs: 33, redis: 31, publisher: 34 };
const children = [];
let stopping = false;

function log(name, line) {
  const color = COLORS[name] ?? 32;
  process.stdout.write(`\x1b[${color}m${name.padEnd(10)}\x1b[0m │ ${line}\n`);
}

/** pino JSON → one readable line; anything else passes through. */
function pretty(line) {
  try {
    const o = JSON.parse(line);
    const level =
      { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }[o.level] ??
      o.level;
    const extra = Object.entries(o)
      .filter(
        ([k]) => !['level', 'time', 'pid', 'hostname', 'name', 'app', 'msg', 'context'].includes(k),
      )
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(' ');
    return `${level} ${o.msg ?? ''}${extra ? `  ${extra}` : ''}`;
  } catch {
    return line;
  }
}

/** Every child runs tethered in its own process group (scripts/lib/tether.js says why). */
function startChild(name, cmd, argv, env, { critical = true } = {}) {
  const child = spawnTethered(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) if (l.trim()) log(name, pretty(l));
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping && !critical) log(name, `exited (${signal ?? code})`);
    else if (!stopping) {
      log(name, `exited (${signal ?? code}); stopping everything`);
      shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net
      .createServer()
      .once('error', () => resolve(false))
      .once('listening', () => srv.close(() => resolve(true)));
    srv.listen(port, '0.0.0.0');
  });
}

async function waitHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status < 500) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const isAlive = (child) => {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(child.pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM a group of children, wait up to `graceMs`, SIGKILL what is left. */
async function stopGroup(group, graceMs) {
  for (const { child } of group) if (isAlive(child)) child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (group.some(({ child }) => isAlive(child)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  for (const { name, child } of group) {
    if (isAlive(child)) {
      log(name, `did not stop in ${graceMs / 1000} s: SIGKILL`);
      killGroup(child);
    }
  }
}

/** A failure once children run: stop them all, then exit non-zero with the reason. */
function abort(message) {
  console.error(`\n✖ ${message}\n`);
  return shutdown(1);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n› stopping…');
  // Apps first (workers drain their FFmpeg), then the services they were talking to.
  await stopGroup(
    children.filter((c) => c.name !== 'sqs'),
    15_000,
  );
  await stopGroup(
    children.filter((c) => c.name === 'sqs'),
    3_000,
  );
  await redis?.stop();
  rmSync(lock, { force: true });
  console.log('› stopped');
  process.exit(code);
}

let redis;

async function main() {
  mkdirSync(state, { recursive: true });
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive)
      fail(
        `ezlive is already running (npm start, pid ${pid}). Stop it with Ctrl-C in its terminal or: kill ${pid}`,
      );
  }
  writeFileSync(lock, String(process.pid));
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));

  ensureNodeModules();
  ensureBinary('ffmpeg', 'ffmpeg');
  ensureBinary('ffprobe', 'ffmpeg');
  redis = await ensureRedis();

  const apiPort = ports.api;
  const needed = [
    ['API_PORT', ports.api],
    ['SCHEDULER_PORT', ports.scheduler],
    ...(process.env.SQS_ENDPOINT ? [] : [['SQS_PORT', ports.sqs]]),
  ];
  for (let i = 0; i < workers; i++)
    needed.push(['WORKER_PORT', ports.worker + i], ['RTMP_PORT', ports.rtmp + i]);
  for (const [name, port] of needed) {
    if (!(await portFree(port)))
      fail(
        `port ${port} is in use by another program; free it or pick another with ${name}=… (README: Local stack)`,
      );
  }

  const apiMain = path.join(root, 'dist/apps/api/src/main.js');
  if (!ensureBuilt(apiMain)) fail('nest build failed: see the compiler output above');

  const sqsEndpoint = process.env.SQS_ENDPOINT ?? `http://127.0.0.1:${ports.sqs}`;
  if (!process.env.SQS_ENDPOINT) {
    startChild('sqs', process.execPath, [path.join(root, 'scripts/lib/sqs-server.mjs')], {
      FAUXQS_PORT: String(ports.sqs),
      FAUXQS_HOST: '127.0.0.1',
    });
    if (!(await waitHttp(`${sqsEndpoint}/`, 15_000)))
      return abort(`the SQS/S3-protocol server (fauxqs) did not start on port ${ports.sqs}`);
  }

  const apiKey = process.env.API_KEYS
    ? process.env.API_KEYS.split(',')[0].split(':')[0]
    : `dev-${randomBytes(12).toString('hex')}`;
  const env = {
    REDIS_URL: redis.url,
    SQS_ENDPOINT: sqsEndpoint,
    SQS_REGION: process.env.SQS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    API_KEYS: process.env.API_KEYS ?? `${apiKey}:admin`,
    MEDIA_DIR: process.env.MEDIA_DIR ?? path.join(root, '.media'),
    S3_ENDPOINT: process.env.S3_ENDPOINT ?? sqsEndpoint,
    API_PORT: String(ports.api),
    SCHEDULER_PORT: String(ports.scheduler),
    PLAYBACK_BASE_URL: process.env.PLAYBACK_BASE_URL ?? `http://localhost:${ports.api}/media`,
    // On Node 20 the AWS SDK prints a multi-line notice that its releases after January 2027
    // need Node 22. It concerns upgrading the SDK (package-lock pins one that runs here), not
    // this local stack; docs/deployment.md#node-version says what to do about it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  };
  mkdirSync(env.MEDIA_DIR, { recursive: true });
  startChild('api', process.execPath, [apiMain], env);
  startChild(
    'scheduler',
    process.execPath,
    [path.join(root, 'dist/apps/scheduler/src/main.js')],
    env,
  );
  for (let i = 0; i < workers; i++) {
    startChild(
      `worker-${i + 1}`,
      process.execPath,
      [path.join(root, 'dist/apps/worker/src/main.js')],
      {
        ...env,
        WORKER_ID: `local-${i + 1}`,
        WORKER_PORT: String(ports.worker + i),
        RTMP_PORT: String(ports.rtmp + i),
        RUN_DIR: path.join(state, 'run', `local-${i + 1}`),
        STAGING_DIR: path.join(state, 'staging', `local-${i + 1}`),
      },
    );
  }
  if (!(await waitHttp(`http://127.0.0.1:${apiPort}/health/ready`)))
    return abort('the API did not become ready in 30 s (see its log lines above)');

  const base = `http://localhost:${apiPort}`;
  console.log(`
  ezlive is running
    UI ............ ${base}/
    API docs ...... ${base}/docs
    API key ....... ${apiKey}
    Redis ......... ${redis.url}
    SQS ........... ${sqsEndpoint}

  Create a channel:
    curl -s -X POST ${base}/v1/jobs -H "Authorization: Bearer ${apiKey}" -H 'Content-Type: application/json' \\
      -d '{"name":"my channel","input":{"protocol":"rtmp"},"video":[{"name":"720p","codec":"h264","width":1280,"height":720,"bitrateKbps":3000},{"name":"360p","codec":"h264","width":640,"height":360,"bitrateKbps":800}],"audio":[{"name":"aac","codec":"aac","bitrateKbps":128}]}'

  Publish to the rtmp URL in the answer (OBS: Server = rtmp://localhost:${ports.rtmp}/live, Stream Key = the key), or:
    ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\
      -c:v libx264 -preset veryfast -g 60 -c:a aac -f flv rtmp://localhost:${ports.rtmp}/live/<streamKey>

  Ctrl-C stops everything.
`);
  if (process.argv.includes('--demo')) await demo(base, apiKey);
}

/** A sample channel fed by a moving test pattern with a tone, so a player shows video at once. */
async function demo(base, apiKey) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const spec = JSON.parse(readFileSync(path.join(root, 'docs/examples/demo-ladder.json'), 'utf8'));
  const res = await fetch(`${base}/v1/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify(spec),
  });
  if (res.status !== 201)
    return abort(`demo: creating the sample job failed: HTTP ${res.status} ${await res.text()}`);
  const job = await res.json();
  let rtmp;
  for (let i = 0; i < 100 && !rtmp; i++) {
    const view = await (await fetch(`${base}/v1/jobs/${job.id}`, { headers })).json();
    if (view.ingest?.rtmp?.startsWith('rtmp://')) rtmp = view.ingest.rtmp;
    else await new Promise((r) => setTimeout(r, 200));
  }
  if (!rtmp)
    return abort(
      'demo: the sample job was not placed on a worker within 20 s (see the scheduler log)',
    );
  // argv, never a shell; -re paces the synthetic source like a live camera.
  startChild(
    'publisher',
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-g',
      '60',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      'flv',
      rtmp.replace('//localhost:', '//127.0.0.1:'),
    ],
    {},
    { critical: false },
  );
  console.log(`  demo: job ${job.id} is receiving a test pattern
    watch it ...... ${base}/#job=${job.id}
    HLS ........... ${job.playback.hls}
`);
}

main().catch((err) => {
  console.error(err);
  shutdown(1);
});
