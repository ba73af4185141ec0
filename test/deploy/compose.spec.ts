import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadApiConfig } from '../../apps/api/src/api.config';
import { loadSchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { loadWorkerConfig } from '../../apps/worker/src/worker.config';
import {
  APP_ENV,
  APPS,
  httpPortOf,
  readRepoFile,
  ROOT,
  SECRET_VARS,
  type AppName,
} from './support/apps';
import {
  COMPOSE_FILE,
  interpolate,
  loadCompose,
  MissingVariableError,
  parsePort,
  serviceEnv,
  type ComposeService,
} from './support/compose-model';
import { parseDockerfile } from './support/dockerfile-model';

const compose = loadCompose();
const services = compose.services;
const composeDir = join(ROOT, 'docker');

/** What docker/.env holds in use (gen-env.sh output shape); the values are test-only. */
const DOTENV = {
  API_KEYS: 'test-only-key-0123456789abcdef:admin',
  AWS_ACCESS_KEY_ID: 'test-only-access',
  AWS_SECRET_ACCESS_KEY: 'test-only-secret-0123456789',
};

const appServices = (app: AppName): Array<[string, ComposeService]> =>
  Object.entries(services).filter(([, s]) => s.build?.target === app);
const only = (app: AppName): [string, ComposeService] => {
  const found = appServices(app);
  expect(found).toHaveLength(1);
  return found[0];
};
const envOf = (s: ComposeService) => serviceEnv(s, DOTENV);
const loaders = { api: loadApiConfig, scheduler: loadSchedulerConfig, worker: loadWorkerConfig };
const seconds = (d: string) => {
  const m = /^(\d+)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`duration ${d}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
};
const hostOf = (url: string) => new URL(url).hostname;
const portOf = (url: string) => Number(new URL(url).port);
const dockerfile = parseDockerfile('docker/Dockerfile');

describe('docker/compose.yaml', () => {
  it('runs redis, an SQS server, an S3 server, api, scheduler and two workers', () => {
    expect(appServices('api')).toHaveLength(1);
    expect(appServices('scheduler')).toHaveLength(1);
    expect(appServices('worker')).toHaveLength(2);
    expect(services.redis.image).toMatch(/^redis:7(\.|-|$)/);
    expect(services.elasticmq.image).toMatch(/^softwaremill\/elasticmq-native:\d/);
    expect(services.minio.image).toMatch(/^minio\/minio:/);
  });

  it('Redis keeps an append-only file on a volume', () => {
    expect(services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    // Per-job streams preallocate stream-node-max-bytes (docs/deployment.md#redis-memory).
    const command = services.redis.command as string[];
    expect(command[command.indexOf('--stream-node-max-bytes') + 1]).toBe('2048');
    const [volume, path] = (services.redis.volumes ?? [])[0].split(':');
    expect(path).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume);
  });

  it('app images are built from the local source with the right Dockerfile target', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.build) continue;
      expect([name, resolve(composeDir, s.build.context)]).toEqual([name, ROOT]);
      expect(existsSync(join(ROOT, s.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      expect(dockerfile.map((st) => st.name)).toContain(s.build.target);
    }
  });

  it.each(APPS)('%s: passes exactly the settings the app reads (from its env spec)', (app) => {
    for (const [name, s] of appServices(app))
      expect([name, Object.keys(s.environment ?? {}).sort()]).toEqual([
        name,
        Object.keys(APP_ENV[app]).sort(),
      ]);
  });

  it.each(APPS)("%s: every value passes the app's own config validation", (app) => {
    for (const [, s] of appServices(app)) expect(() => loaders[app](envOf(s))).not.toThrow();
  });

  it('every credential comes from docker/.env (${VAR:?}), none is written in the file', () => {
    const credential = (k: string) =>
      SECRET_VARS.includes(k) || /PASSWORD|SECRET|TOKEN|ACCESS_KEY|_KEYS?$|_USER$/.test(k);
    let seen = 0;
    for (const [name, s] of Object.entries(services))
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (!credential(k)) continue;
        seen++;
        expect([name, k, String(v)]).toEqual([
          name,
          k,
          expect.stringMatching(/^\$\{\w+:\?[^}]*\}$/),
        ]);
      }
    expect(seen).toBeGreaterThanOrEqual(SECRET_VARS.length);
    const [, api] = only('api');
    expect(() => serviceEnv(api, {})).toThrow(MissingVariableError);
  });

  it('docker/gen-env.sh writes every variable the file requires', () => {
    const required = new Set(
      [
        ...readRepoFile(COMPOSE_FILE)
          .replace(/^\s*#.*$/gm, '')
          .matchAll(/\$\{(\w+):\?/g),
      ].map((m) => m[1]),
    );
    const script = readFileSync(join(composeDir, 'gen-env.sh'), 'utf8');
    const written = new Set([...script.matchAll(/echo "(\w+)=/g)].map((m) => m[1]));
    expect([...required].filter((v) => !written.has(v))).toEqual([]);
    expect(required).toEqual(new Set(SECRET_VARS));
  });

  it('docker/gen-env.sh output starts the stack: the api accepts its key, MinIO its credentials', () => {
    const out = execFileSync('sh', [join(composeDir, 'gen-env.sh')], { encoding: 'utf8' });
    const dotenv = Object.fromEntries(
      out
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const api = loadApiConfig(serviceEnv(only('api')[1], dotenv));
    expect(api.generatedKey).toBeNull();
    expect(api.apiKeys).toHaveLength(1);
    const minio = serviceEnv(services.minio, dotenv);
    expect(minio.MINIO_ROOT_USER.length).toBeGreaterThanOrEqual(3);
    expect(minio.MINIO_ROOT_PASSWORD.length).toBeGreaterThanOrEqual(8);
    // fresh values every run
    expect(execFileSync('sh', [join(composeDir, 'gen-env.sh')], { encoding: 'utf8' })).not.toBe(
      out,
    );
  });

  it('apps reach redis, elasticmq and minio by service name on their ports', () => {
    const conf = readFileSync(join(composeDir, 'elasticmq.conf'), 'utf8');
    const sqsPort = Number(/bind-port\s*=\s*(\d+)/.exec(conf)?.[1]);
    expect(/node-address\s*\{[^}]*host\s*=\s*(\w+)/.exec(conf)?.[1]).toBe('elasticmq');
    expect(services.elasticmq.volumes).toContain('./elasticmq.conf:/opt/elasticmq.conf:ro');
    for (const app of APPS)
      for (const [name, s] of appServices(app)) {
        const env = envOf(s);
        expect([name, hostOf(env.REDIS_URL), new URL(env.REDIS_URL).port || '6379']).toEqual([
          name,
          'redis',
          '6379',
        ]);
        if ('SQS_ENDPOINT' in APP_ENV[app])
          expect([name, hostOf(env.SQS_ENDPOINT), portOf(env.SQS_ENDPOINT)]).toEqual([
            name,
            'elasticmq',
            sqsPort,
          ]);
        if ('S3_ENDPOINT' in APP_ENV[app])
          expect([name, hostOf(env.S3_ENDPOINT), portOf(env.S3_ENDPOINT)]).toEqual([
            name,
            'minio',
            9000,
          ]);
        for (const k of ['SQS_QUEUE_NAME', 'EZ_KEY_PREFIX', 'EZ_PARTITIONS'])
          if (k in env) expect([name, k, env[k]]).toEqual([name, k, envOf(only('api')[1])[k]]);
      }
  });

  it('the bucket is created by a one-shot mc job the workers wait for', () => {
    const init = services['minio-init'];
    expect(init.image).toMatch(/^minio\/mc:/);
    expect(init.restart).toBeUndefined();
    expect(init.depends_on?.minio.condition).toBe('service_healthy');
    expect(JSON.stringify(init.command)).toMatch(/mc mb --ignore-existing ezlive\/[\w-]+/);
    expect(JSON.stringify(init.command)).toMatch(/http:\/\/minio:9000/);
    for (const [name, s] of appServices('worker'))
      expect([name, s.depends_on?.['minio-init']?.condition]).toEqual([
        name,
        'service_completed_successfully',
      ]);
  });

  it('every service_healthy dependency has a health check (its own or its image target)', () => {
    for (const [name, s] of Object.entries(services))
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect([name, dep, dep in services]).toEqual([name, dep, true]);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(
          condition,
        );
        if (condition !== 'service_healthy') continue;
        const target = services[dep];
        const imageCheck = dockerfile.find((st) => st.name === target.build?.target)?.healthcheck;
        expect([name, dep, Boolean(target.healthcheck ?? imageCheck)]).toEqual([name, dep, true]);
      }
    expect(only('api')[1].depends_on?.redis.condition).toBe('service_healthy');
  });

  it.each(APPS)('%s: the health check (image HEALTHCHECK) asks the configured port', (app) => {
    const { name: portVar } = httpPortOf(app);
    const stage = dockerfile.find((st) => st.name === app)!;
    expect(stage.healthcheck?.cmd).toContain(portVar);
    for (const [name, s] of appServices(app)) {
      // an override must ask the same variable and readiness path
      if (s.healthcheck)
        expect([name, s.healthcheck.test.slice(1)]).toEqual([name, stage.healthcheck?.cmd]);
      expect(Number(envOf(s)[portVar])).toBeGreaterThan(0);
    }
  });

  it('the api (UI, REST, /media) is published on its configured port', () => {
    const [, api] = only('api');
    const env = envOf(api);
    const published = (api.ports ?? []).map(parsePort);
    expect(published).toContainEqual({
      host: [Number(env.API_PORT)],
      container: [Number(env.API_PORT)],
      proto: 'tcp',
    });
    expect(env.API_HOST).toBe('0.0.0.0');
    expect(env.SERVE_MEDIA).toBe('true');
    expect(new URL(env.PLAYBACK_BASE_URL).port).toBe(env.API_PORT);
    expect(new URL(env.PLAYBACK_BASE_URL).pathname).toBe('/media');
  });

  it('workers publish their RTMP port and SRT range 1:1 (ingest URLs name these ports)', () => {
    const hostPorts = new Map<string, string>();
    for (const [name, s] of Object.entries(services))
      for (const p of (s.ports ?? []).map(parsePort))
        for (const h of p.host) {
          const key = `${h}/${p.proto}`;
          expect([key, hostPorts.get(key)]).toEqual([key, undefined]);
          hostPorts.set(key, name);
        }
    const ids = new Set<string>();
    for (const [name, s] of appServices('worker')) {
      const env = envOf(s);
      const ports = (s.ports ?? []).map(parsePort);
      const srt = Array.from(
        { length: Number(env.SRT_PORT_MAX) - Number(env.SRT_PORT_MIN) + 1 },
        (_, i) => Number(env.SRT_PORT_MIN) + i,
      );
      expect([name, ports]).toEqual([
        name,
        expect.arrayContaining([
          { host: [Number(env.RTMP_PORT)], container: [Number(env.RTMP_PORT)], proto: 'tcp' },
          { host: srt, container: srt, proto: 'udp' },
        ]),
      ]);
      expect(env.WORKER_PUBLIC_HOST).toBeTruthy();
      ids.add(loadWorkerConfig(env).workerId);
    }
    expect(ids.size).toBe(appServices('worker').length);
  });

  it('workers and the api share the media volume at MEDIA_DIR', () => {
    const [, api] = only('api');
    const mediaDir = envOf(api).MEDIA_DIR;
    const mount = (s: ComposeService) =>
      (s.volumes ?? []).find((v) => v.split(':')[1] === mediaDir);
    const volume = mount(api)?.split(':')[0];
    // the api deletes a deleted job's local output: read-write
    expect(mount(api)).not.toMatch(/:ro$/);
    expect(compose.volumes).toHaveProperty(volume!);
    for (const [name, s] of appServices('worker')) {
      expect([name, envOf(s).MEDIA_DIR]).toEqual([name, mediaDir]);
      expect([name, mount(s)?.split(':')[0]]).toEqual([name, volume]);
    }
  });

  it('workers get SIGTERM and a grace long enough to drain', () => {
    for (const [name, s] of appServices('worker')) {
      expect([name, s.stop_signal ?? 'SIGTERM']).toEqual([name, 'SIGTERM']);
      const grace = seconds(s.stop_grace_period ?? '10s');
      expect(grace).toBeGreaterThanOrEqual(30);
      expect(grace).toBeGreaterThan((10 * Number(envOf(s).STOP_TIMEOUT_MS)) / 1000);
    }
  });

  it('interpolation helper follows Compose rules', () => {
    expect(interpolate('$${X}', {})).toBe('${X}');
    expect(interpolate('${X:-d}', { X: '' })).toBe('d');
    expect(interpolate('${X-d}', { X: '' })).toBe('');
    expect(() => interpolate('${X:?need}', {})).toThrow('X: need');
    expect(interpolate('a${X}b', { X: '1' })).toBe('a1b');
  });
});

describe('documentation', () => {
  it('the README documents docker compose up and points to docs/deployment.md', () => {
    const readme = readRepoFile('README.md');
    const section = readme.slice(
      readme.indexOf('## Run in containers'),
      readme.indexOf('## Configuration'),
    );
    expect(section).toMatch(/docker compose up/);
    expect(section).toMatch(/gen-env\.sh/);
    expect(section).toContain('docs/deployment.md');
    for (const [, s] of appServices('api'))
      for (const p of (s.ports ?? []).map(parsePort))
        expect(section).toContain(`localhost:${p.host[0]}`);
  });
});
