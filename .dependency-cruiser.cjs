/**
 * Architecture rules (docs/architecture.md#boundaries). `npm run boundaries` fails on any of them.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain is pure TypeScript: no framework, transport, storage or process APIs.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        path: [
          'node_modules/@nestjs/',
          'node_modules/ioredis',
          'node_modules/bullmq',
          'node_modules/@aws-sdk/',
          'node_modules/pino',
          '^libs/(ffmpeg|infra)/',
          '^apps/',
        ],
      },
    },
    {
      name: 'domain-no-process-io',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        dependencyTypes: ['core'],
        // Subpaths listed too: `node:fs/promises` is as much I/O as `node:fs`.
        path: '^(node:)?(child_process|fs|fs/promises|net|http|https|http2|dgram|cluster|os|worker_threads)$',
      },
    },
    {
      name: 'ffmpeg-lib-no-apps',
      severity: 'error',
      from: { path: '^libs/ffmpeg/' },
      to: {
        path: [
          '^apps/',
          '^libs/infra/',
          'node_modules/@nestjs/',
          'node_modules/ioredis',
          'node_modules/bullmq',
        ],
      },
    },
    { name: 'libs-no-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    {
      name: 'api-not-into-other-apps',
      severity: 'error',
      from: { path: '^apps/api/' },
      to: { path: '^apps/(scheduler|worker)/' },
    },
    {
      name: 'scheduler-not-into-other-apps',
      severity: 'error',
      from: { path: '^apps/scheduler/' },
      to: { path: '^apps/(api|worker)/' },
    },
    {
      name: 'worker-not-into-other-apps',
      severity: 'error',
      from: { path: '^apps/worker/' },
      to: { path: '^apps/(api|scheduler)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
