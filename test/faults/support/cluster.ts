import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../support/ports';
import { startSqsServer, type SqsServer } from '../../support/sqs';

const ROOT = join(__dirname, '../../..');
const MAIN = (app: string) => join(ROOT, 'dist/apps', app, 'src/main.js');
/** How long {@link FaultCluster.upload} waits for an answer to the headers before the body. */
const EARLY_ANSWER_MS = 250;

/** Short timings so a lost worker is noticed in seconds; the same knobs users have. */
export const HEARTBEAT_MS = 500;
export const HEARTBEAT_TIMEOUT_MS = 3000;

export interface JobView {
  id: string;
  state: string;
  streamKey: string;
  workerId: string | null;
  attempt: number;
  ingest: {
    status: string;
    rtmp: string | null;
    srt: { url: string; passphrase: string } | 'pending' | null;
  };
  playback: { hls: string | null; dash: string | null };
}

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: { version: number; at: string };
}

/** One app process of the cluster: its log lines are kept for the secret scan. */
export class Node {
  readonly lines: string[] = [];
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    let buf = '';
    const take = (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts.filter(Boolean));
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, sig);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT'); // a stopped process cannot handle SIGTERM
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A private redis-server with AOF `everysec` that can be restarted on the same port and data. */
export class PrivateRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'ezlive-fault-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // argv, never a shell; AOF fsync every second is the durability users get by default.
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', this.dir);
    args.push('--stream-node-max-bytes', '2048'); // as deployed (docs/deployment.md)
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (await ping(this.port)) return;
      if (child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on ${this.port}`);
  }

  /** Graceful stop: Redis fsyncs the AOF on SIGTERM, as a rolling restart would. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ClusterOptions {
  workers?: number;
  schedulers?: number;
  /** Extra environment for every app. */
  env?: Record<string, string>;
  /** Extra environment per worker (index from 0). */
  workerEnv?: (i: number) => Record<string, string>;
}

/**
 * The real stack for fault injection: a private Redis, the SQS/S3-protocol server, the api,
 * schedulers and workers as separate processes from `dist/` (built by `nest build`), each
 * of which a test can SIGKILL, SIGSTOP or restart on its own.
 */
export class FaultCluster {
  readonly prefix = `fault-${randomBytes(4).toString('hex')}`;
  readonly apiKey = `fault-admin-${randomBytes(12).toString('hex')}`;
  readonly state = mkdtempSync(join(tmpdir(), 'ezlive-fault-'));
  readonly mediaDir = join(this.state, 'media');
  readonly nodes = new Map<string, Node>();
  /** Every stream key and passphrase handed out: none may appear in any log line. */
  readonly secrets = new Set<string>([this.apiKey]);
  /** Log lines of nodes that were replaced or stopped. */
  private readonly pastLines: string[] = [];
  api = '';
  private apiPort = 0;
  private ports = new Map<string, { http: number; rtmp?: number; srt?: [number, number] }>();

  private constructor(
    readonly redis: PrivateRedis,
    public sqs: SqsServer,
    private readonly sqsPort: number,
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<FaultCluster> {
    const sqsPort = await freePort();
    const c = new FaultCluster(
      await PrivateRedis.start(),
      await startSqsServer(sqsPort),
      sqsPort,
      options,
    );
    mkdirSync(c.mediaDir, { recursive: true });
    c.apiPort = await freePort();
    c.api = `http://127.0.0.1:${c.apiPort}`;
    await c.startApp('api', 'api', { API_PORT: String(c.apiPort) });
    for (let i = 1; i <= (options.schedulers ?? 1); i++) await c.startScheduler(`scheduler-${i}`);
    for (let i = 1; i <= (options.workers ?? 1); i++) await c.startWorker(`worker-${i}`);
    await c.waitFor('api ready', async () => (await fetch(`${c.api}/health/ready`)).ok, 30_000);
    return c;
  }

  /** What every app gets: the cluster's Redis, SQS, key prefix and fast membership timings. */
  private env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'test',
      REDIS_URL: this.redis.url,
      EZ_KEY_PREFIX: this.prefix,
      SQS_ENDPOINT: `http://127.0.0.1:${this.sqsPort}`,
      SQS_REGION: 'us-east-1',
      SQS_QUEUE_NAME: `intake-${this.prefix}`,
      SQS_WAIT_SECONDS: '1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      API_KEYS: `${this.apiKey}:admin`,
      MEDIA_DIR: this.mediaDir,
      PLAYBACK_BASE_URL: `http://127.0.0.1:${this.apiPort}/media`,
      RATE_LIMIT_PER_MIN: '0',
      INTAKE_RESEND_AFTER_MS: '2000',
      INTAKE_SWEEP_INTERVAL_MS: '1000',
      HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
      HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
      RECONCILE_INTERVAL_MS: '1000',
      SCHEDULER_RESEND_AFTER_MS: '3000',
      LOG_LEVEL: 'info',
      EZ_FAULT_CLUSTER: this.prefix,
      ...this.options.env,
    };
  }

  private async startApp(name: string, app: string, env: Record<string, string>): Promise<Node> {
    const previous = this.nodes.get(name);
    if (previous) this.pastLines.push(...previous.lines);
    const child = spawn(process.execPath, [MAIN(app)], {
      cwd: ROOT,
      env: { ...this.env(), ...env, EZ_FAULT_NODE: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new Node(name, child);
    this.nodes.set(name, node);
    return node;
  }

  async startScheduler(name: string): Promise<Node> {
    const port = this.ports.get(name)?.http ?? (await freePort());
    this.ports.set(name, { http: port });
    const node = await this.startApp(name, 'scheduler', { SCHEDULER_PORT: String(port) });
    await this.waitFor(`${name} up`, () => health(port), 30_000);
    return node;
  }

  /** Starts (or restarts, same id and ports) a worker and waits until it is registered. */
  async startWorker(name: string, extra: Record<string, string> = {}): Promise<Node> {
    const i = Number(name.split('-').pop()) - 1;
    let ports = this.ports.get(name);
    if (!ports) {
      const base = 20_000 + (Number.parseInt(this.prefix.slice(-4), 16) % 400) * 100 + i * 20;
      ports = { http: await freePort(), rtmp: await freePort(), srt: [base, base + 19] };
      this.ports.set(name, ports);
    }
    const node = await this.startApp(name, 'worker', {
      WORKER_ID: name,
      WORKER_PORT: String(ports.http),
      RTMP_PORT: String(ports.rtmp),
      SRT_PORT_MIN: String(ports.srt![0]),
      SRT_PORT_MAX: String(ports.srt![1]),
      WORKER_PUBLIC_HOST: '127.0.0.1',
      WORKER_CAPACITY: '100000',
      RUN_DIR: join(this.state, 'run', name),
      STAGING_DIR: join(this.state, 'staging', name),
      STOP_TIMEOUT_MS: '800',
      ...this.options.workerEnv?.(i),
      ...extra,
    });
    await this.waitFor(`${name} registered`, async () => {
      const res = await this.request('GET', '/v1/workers');
      const items = (res.body as { items?: Array<{ id: string; state: string }> }).items ?? [];
      return items.some((w) => w.id === name && w.state === 'active');
    });
    return node;
  }

  node(name: string): Node {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    const res = await fetch(`${this.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000), // a hung request fails the test, not the suite
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /**
   * A request whose body the server may refuse before reading it all (413 on Content-Length):
   * like curl, it takes the response as soon as it arrives, and the EPIPE/ECONNRESET of the
   * rest of the upload after that is not an error (fetch reports it as "fetch failed").
   * When the server's close beats its answer to this side (Node destroys the socket on the
   * failed write before it reads the 413 already on the wire; seen once in ~40 runs), the
   * request is sent again, up to 3 times: a refused upload must still be answered.
   */
  async upload(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.uploadOnce(method, path, body, headers);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt >= 3 || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw err;
      }
    }
  }

  private uploadOnce(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = httpRequest(`${this.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        timeout: 30_000,
      });
      // Headers first, then a short wait for an early answer, as an `Expect: 100-continue`
      // client does. The API refuses an oversized body by its Content-Length and closes the
      // connection; a client still pushing megabytes then hits EPIPE, and the reset can drop
      // the 413 already on the wire. Without an early answer the body goes as usual.
      req.flushHeaders();
      const send = setTimeout(() => req.end(body), EARLY_ANSWER_MS);
      req.on('response', (res) => {
        answered = true;
        clearTimeout(send);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: h });
          if (!req.writableEnded) req.destroy(); // answered before the body: never sent
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (err) => {
        clearTimeout(send);
        if (!answered) reject(err); // after the answer: the refused rest of the upload
      });
    });
  }

  /** POST /v1/jobs; remembers the job's secrets for the log scan. */
  async createJob(spec: unknown): Promise<JobView> {
    const res = await this.request('POST', '/v1/jobs', spec);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    const job = res.body as JobView;
    this.remember(job);
    return job;
  }

  remember(job: Partial<Pick<JobView, 'streamKey' | 'ingest'>>): void {
    if (job.streamKey) this.secrets.add(job.streamKey);
    const srt = job.ingest?.srt;
    if (srt && typeof srt === 'object') this.secrets.add(srt.passphrase);
  }

  async job(id: string): Promise<JobView> {
    const job = (await this.request('GET', `/v1/jobs/${id}`)).body as JobView;
    this.remember(job);
    return job;
  }

  async events(id: string): Promise<RecordedEvent[]> {
    return (
      (await this.request('GET', `/v1/jobs/${id}/events`)).body as { events: RecordedEvent[] }
    ).events;
  }

  /** Polls `probe` every 200 ms for at most `timeoutMs`; resolves with its first truthy value. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | null | false | undefined> | T | null | false | undefined,
    timeoutMs = 20_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const v = await probe();
        if (v) return v;
      } catch (err) {
        lastError = err; // not reachable yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`,
        );
      await sleep(200);
    }
  }

  /** Until the job is `state` (and, optionally, on `workerId`). */
  async waitForState(id: string, state: string, workerId?: string, timeoutMs = 20_000) {
    try {
      return await this.waitFor(
        `job ${id} ${state}${workerId ? ` on ${workerId}` : ''}`,
        async () => {
          const j = await this.job(id);
          return j.state === state && (!workerId || j.workerId === workerId) && j;
        },
        timeoutMs,
      );
    } catch (err) {
      // The job's history says where it got stuck (which worker, which reason).
      const history = await this.events(id)
        .then((es) =>
          es
            .map((e) => {
              const d = e.data as { reason?: string; workerId?: string; attempt?: number };
              const detail = d.reason ?? d.workerId ?? '';
              return detail ? `${e.type}(${detail}${d.attempt ? ` #${d.attempt}` : ''})` : e.type;
            })
            .join(' → '),
        )
        .catch((e: Error) => `unreadable: ${e.message}`);
      throw new Error(`${(err as Error).message}; its events: ${history}`, { cause: err });
    }
  }

  /** Live FFmpeg processes started by the given worker (all workers when omitted). */
  ffmpegPids(worker?: string): number[] {
    const marker = `EZ_FAULT_CLUSTER=${this.prefix}\0`;
    const nodeMarker = worker ? `EZ_FAULT_NODE=${worker}\0` : '';
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'ffmpeg') return false;
          const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
          return env.includes(marker) && env.includes(nodeMarker);
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  /** Every log line any app of the cluster printed so far. */
  logLines(): string[] {
    return [...this.pastLines, ...[...this.nodes.values()].flatMap((n) => n.lines)];
  }

  /** Log lines that contain a secret (must stay empty). */
  leakedSecrets(): string[] {
    const secrets = [...this.secrets].filter((s) => s.length >= 8);
    return this.logLines().filter((l) => secrets.some((s) => l.includes(s)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
    await this.sqs.stop().catch(() => undefined);
    await this.redis.destroy();
    rmSync(this.state, { recursive: true, force: true });
  }

  /** SIGKILLs the SQS server and starts a fresh one (empty, as after an emulator restart). */
  async restartSqs(downMs: number, during?: () => Promise<void>): Promise<void> {
    this.sqs.kill();
    await during?.();
    await sleep(downMs);
    this.sqs = await startSqsServer(this.sqsPort);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/live`)).ok;
  } catch {
    return false;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
