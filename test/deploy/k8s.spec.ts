import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityForCores, estimateJobCost, JOB_STATUSES, type JobSpec } from '@ezlive/domain';
import { loadApiConfig } from '../../apps/api/src/api.config';
import { loadSchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { loadWorkerConfig } from '../../apps/worker/src/worker.config';
import { APP_ENV, APPS, httpPortOf, ROOT, SECRET_VARS, type AppName } from './support/apps';
import { loadCompose } from './support/compose-model';
import {
  K8S_DIR,
  loadManifests,
  loadYamlDocs,
  manifestFiles,
  MODELS,
  SECRET_TEMPLATE,
  type K8sObject,
} from './support/k8s-model';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field */
const manifests = loadManifests();
const all = manifests.map((m) => m.obj);
const ofKind = (kind: string) => all.filter((o) => o.kind === kind);
const named = (kind: string, name: string): K8sObject => {
  const found = all.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const deployment = (app: AppName) => named('Deployment', `ezlive-${app}`);
const container = (app: AppName) => deployment(app).spec.template.spec.containers[0];
const secrets = all.filter((o) => o.kind === 'Secret');
const configMap = (name: string): Record<string, string> => named('ConfigMap', name).data ?? {};
const secretKeys = (name: string): string[] => {
  const s = secrets.find((o) => o.metadata.name === name);
  if (!s) throw new Error(`no Secret ${name} in ${SECRET_TEMPLATE}`);
  return Object.keys({ ...s.data, ...s.stringData });
};

/** Where each variable of a container comes from. */
function envSources(app: AppName): Map<string, 'configmap' | 'secret' | 'field' | 'literal'> {
  const c = container(app);
  const out = new Map<string, 'configmap' | 'secret' | 'field' | 'literal'>();
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef)
      for (const k of Object.keys(configMap(from.configMapRef.name))) out.set(k, 'configmap');
    if (from.secretRef) for (const k of secretKeys(from.secretRef.name)) out.set(k, 'secret');
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      expect(secretKeys(e.valueFrom.secretKeyRef.name)).toContain(e.valueFrom.secretKeyRef.key);
      out.set(e.name, 'secret');
    } else if (e.valueFrom?.fieldRef) out.set(e.name, 'field');
    else out.set(e.name, 'literal');
  }
  return out;
}

/** The env a pod sees, with test-only values where a Secret or the downward API fills in. */
function podEnv(app: AppName): Record<string, string> {
  const c = container(app);
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? [])
    if (from.configMapRef) Object.assign(env, configMap(from.configMapRef.name));
  const fake: Record<string, string> = {
    REDIS_URL: 'redis://:test-only@redis.example:6379',
    API_KEYS: 'test-only-key-0123456789abcdef:admin',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    'metadata.name': 'ezlive-worker-5d9c7b8f6-x2x9q',
    'status.hostIP': '203.0.113.7',
  };
  for (const [k, source] of envSources(app)) if (source === 'secret') env[k] = fake[k] ?? '';
  for (const e of c.env ?? [])
    if (e.valueFrom?.fieldRef) env[e.name] = fake[e.valueFrom.fieldRef.fieldPath];
  return env;
}

/** Credentials: the README's credential variables and REDIS_URL (may carry a password). */
const K8S_SECRET_VARS = [...SECRET_VARS, 'REDIS_URL'];
const loaders = { api: loadApiConfig, scheduler: loadSchedulerConfig, worker: loadWorkerConfig };
const portNamed = (app: AppName, name: string | number) =>
  typeof name === 'number'
    ? name
    : container(app).ports.find((p: any) => p.name === name)?.containerPort;
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('docker/k8s manifests', () => {
  it.each(manifests.map((m) => [`${m.file}: ${m.obj.kind} ${m.obj.metadata?.name}`, m.obj]))(
    '%s is valid against the Kubernetes schema',
    (_, obj: K8sObject) => {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(obj as never).validate()).not.toThrow();
    },
  );

  it('the schema check catches a broken manifest', () => {
    const broken = structuredClone(deployment('api'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new MODELS['apps/v1/Deployment'](broken as never).validate()).toThrow();
  });

  it('kustomization.yaml applies every manifest except the Secret template', () => {
    const [k] = loadYamlDocs(`${K8S_DIR}/kustomization.yaml`);
    expect([...k.resources].sort()).toEqual(manifestFiles().filter((f) => f !== SECRET_TEMPLATE));
    const images = ofKind('Deployment').map(
      (d) => d.spec.template.spec.containers[0].image.split(':')[0],
    );
    expect(k.images.map((i: { name: string }) => i.name).sort()).toEqual(images.sort());
    for (const o of all)
      if (o.kind !== 'Namespace')
        expect([o.metadata.name, o.metadata.namespace]).toEqual([o.metadata.name, k.namespace]);
  });

  it('api and scheduler run 2 replicas; workers exist; images are the Dockerfile targets', () => {
    expect(deployment('api').spec.replicas).toBe(2);
    expect(deployment('scheduler').spec.replicas).toBe(2);
    expect(deployment('worker').spec.replicas).toBeGreaterThanOrEqual(1);
    for (const app of APPS) expect(container(app).image).toMatch(new RegExp(`^ezlive-${app}:`));
  });

  it('selectors, Services and PodDisruptionBudgets match the pods', () => {
    for (const d of ofKind('Deployment'))
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    for (const app of APPS) {
      const d = deployment(app);
      const podLabels = d.spec.template.metadata.labels;
      const svc = ofKind('Service').filter((s) => matches(s.spec.selector, podLabels));
      expect([app, svc.length]).toEqual([app, 1]);
      for (const p of svc[0].spec.ports)
        expect(portNamed(app, p.targetPort)).toBe(httpPortOf(app).port);
      const pdbs = ofKind('PodDisruptionBudget').filter((p) =>
        matches(p.spec.selector.matchLabels, podLabels),
      );
      expect([app, pdbs.length]).toEqual([app, 1]);
      const pdb = pdbs[0].spec;
      // a PDB that allows no eviction would block node drains forever
      if (pdb.minAvailable !== undefined) expect(pdb.minAvailable).toBeLessThan(d.spec.replicas);
      else expect(pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(APPS)('%s: every setting the app reads is set, and nothing else', (app) => {
    expect([...envSources(app).keys()].sort()).toEqual(Object.keys(APP_ENV[app]).sort());
  });

  it.each(APPS)("%s: the values pass the app's own config validation", (app) => {
    expect(() => loaders[app](podEnv(app))).not.toThrow();
  });

  it.each(APPS)(
    '%s: credentials only from Secrets, per-pod values only from the downward API',
    (app) => {
      const sources = envSources(app);
      for (const v of K8S_SECRET_VARS)
        if (sources.has(v)) expect([v, sources.get(v)]).toEqual([v, 'secret']);
      for (const [k, s] of sources) {
        expect([k, s]).not.toEqual([k, 'literal']);
        if (s === 'field') expect(['WORKER_ID', 'WORKER_PUBLIC_HOST']).toContain(k);
      }
    },
  );

  it('no ConfigMap holds a credential; the Secret template holds no value', () => {
    for (const cm of ofKind('ConfigMap'))
      for (const [k, v] of Object.entries(cm.data ?? {})) {
        expect([cm.metadata.name, k, K8S_SECRET_VARS.includes(k)]).toEqual([
          cm.metadata.name,
          k,
          false,
        ]);
        expect([k, /:\/\/[^/@\s]*:[^/@\s]*@/.test(String(v))]).toEqual([k, false]);
      }
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(manifests.find((m) => m.obj === s)?.file).toBe(SECRET_TEMPLATE);
      expect(s.data).toBeUndefined();
      for (const [k, v] of Object.entries(s.stringData ?? {})) expect([k, v]).toEqual([k, '']);
    }
  });

  it('shared settings agree between the apps', () => {
    const env = Object.fromEntries(APPS.map((app) => [app, podEnv(app)]));
    for (const k of [
      'EZ_KEY_PREFIX',
      'EZ_PARTITIONS',
      'REDIS_URL',
      'SQS_QUEUE_NAME',
      'SQS_ENDPOINT',
      'MEDIA_DIR',
    ]) {
      const values = new Set(APPS.filter((a) => k in env[a]).map((a) => env[a][k]));
      expect([k, values.size]).toEqual([k, 1]);
    }
  });

  it.each(APPS)('%s: probes hit the readiness/liveness routes on the configured port', (app) => {
    const c = container(app);
    const port = Number(podEnv(app)[httpPortOf(app).name]);
    expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    expect(portNamed(app, c.readinessProbe.httpGet.port)).toBe(port);
    expect(portNamed(app, c.livenessProbe.httpGet.port)).toBe(port);
  });

  it.each(APPS)('%s: non-root, and every directory the app writes is a mounted volume', (app) => {
    const pod = deployment(app).spec.template.spec;
    const c = container(app);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    const env = podEnv(app);
    // the apps write (and the api deletes job output) in every *_DIR
    const mounts = (c.volumeMounts ?? [])
      .filter((m: { readOnly?: boolean }) => !m.readOnly)
      .map((m: { mountPath: string }) => m.mountPath);
    if (c.securityContext.readOnlyRootFilesystem)
      for (const k of Object.keys(env).filter((k) => k.endsWith('_DIR')))
        expect([k, mounts]).toEqual([k, expect.arrayContaining([env[k]])]);
  });

  it('api and workers share the media volume at MEDIA_DIR', () => {
    const claimAt = (app: AppName) => {
      const pod = deployment(app).spec.template.spec;
      const mount = container(app).volumeMounts.find(
        (m: any) => m.mountPath === podEnv(app).MEDIA_DIR,
      );
      return pod.volumes.find((v: any) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
    };
    expect(claimAt('api')).toBeDefined();
    expect(claimAt('worker')).toBe(claimAt('api'));
    expect(named('PersistentVolumeClaim', claimAt('api')).spec.accessModes).toContain(
      'ReadWriteMany',
    );
  });

  it('workers: ingest ports as configured, drain grace as in compose, ids per pod', () => {
    const pod = deployment('worker').spec.template.spec;
    const env = podEnv('worker');
    expect(portNamed('worker', 'rtmp')).toBe(Number(env.RTMP_PORT));
    expect(pod.hostNetwork).toBe(true);
    for (const p of container('worker').ports) expect(p.hostPort).toBe(p.containerPort);
    const composeWorker = Object.values(loadCompose().services).find(
      (s) => s.build?.target === 'worker',
    )!;
    expect(`${pod.terminationGracePeriodSeconds}s`).toBe(composeWorker.stop_grace_period);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      (10 * Number(env.STOP_TIMEOUT_MS)) / 1000,
    );
    expect(loadWorkerConfig(env).workerId).toBe('ezlive-worker-5d9c7b8f6-x2x9q');
    const idFrom = container('worker').env.find((e: any) => e.name === 'WORKER_ID');
    expect(idFrom.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it("workers: WORKER_CAPACITY is the pod's CPU request in cost units", () => {
    const cpu = String(container('worker').resources.requests.cpu);
    const cores = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
    expect(Number(podEnv('worker').WORKER_CAPACITY)).toBe(capacityForCores(cores));
    expect(container('worker').resources.limits?.cpu).toBeUndefined();
  });
});

describe('worker autoscaling (HPA on an external metric from the api)', () => {
  const hpa = named('HorizontalPodAutoscaler', 'ezlive-worker');
  const [adapter] = loadYamlDocs(`${K8S_DIR}/prometheus-adapter.values.yaml`);
  const metric = hpa.spec.metrics[0];
  const rule = adapter.rules.external.find((r: any) => r.name.as === metric.external?.metric.name);

  it('scales the worker Deployment between sane bounds', () => {
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'ezlive-worker',
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.behavior.scaleDown.policies).toEqual([
      expect.objectContaining({ type: 'Pods', value: 1 }),
    ]);
  });

  it('its metric is served by a prometheus-adapter rule over gauges the api exports', () => {
    expect(metric.type).toBe('External');
    expect(rule).toBeDefined();
    const source = readFileSync(join(ROOT, 'apps/api/src/metrics/metrics.service.ts'), 'utf8');
    const exported = new Set([...source.matchAll(/name: '(ezlive_[a-z_]+)'/g)].map((m) => m[1]));
    const used = [...String(rule.metricsQuery).matchAll(/\b(ezlive_[a-z_]+)\{/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(exported).toContain(name);
    expect(String(rule.seriesQuery)).toMatch(/^ezlive_jobs\{/);
  });

  it('counts exactly the job states that hold or want a worker', () => {
    const states = /state=~"([^"]+)"/.exec(rule.metricsQuery)![1].split('|').sort();
    const terminal = ['stopped', 'failed', 'deleted'];
    expect(states).toEqual(JOB_STATUSES.filter((s) => !terminal.includes(s)).sort());
    // api replicas report the same counts: collapse them before summing states
    expect(rule.metricsQuery).toMatch(/sum\(max by \(state\)/);
  });

  it('the target is how many reference ladders fit one worker (cost model)', () => {
    const rendition = (height: number) => ({
      width: Math.round((height * 16) / 9 / 2) * 2,
      height,
      framerateFps: 30,
      codec: 'h264',
      preset: 'veryfast',
    });
    const reference = {
      video: [1080, 720, 360].map(rendition),
      audio: [{ codec: 'aac' }],
    } as unknown as JobSpec;
    const perWorker = Math.floor(
      Number(podEnv('worker').WORKER_CAPACITY) / estimateJobCost(reference),
    );
    expect(metric.external.target).toEqual({
      type: 'AverageValue',
      averageValue: String(perWorker),
    });
  });

  it('the api pods are scraped on their metrics port', () => {
    const annotations = deployment('api').spec.template.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(Number(podEnv('api').API_PORT));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(readFileSync(join(ROOT, 'apps/api/src/metrics/metrics.controller.ts'), 'utf8')).toMatch(
      /@Controller\('metrics'\)/,
    );
  });
});
