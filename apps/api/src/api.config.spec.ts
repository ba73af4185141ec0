import { ConfigError } from '@ezlive/infra';
import { loadApiConfig } from './api.config';

describe('api config', () => {
  it('has working defaults outside production, with a generated admin key', () => {
    const c = loadApiConfig({});
    expect(c.port).toBe(8080);
    expect(c.apiKeys).toEqual([{ key: c.generatedKey, scope: 'admin' }]);
    expect(c.generatedKey).toMatch(/^dev-/);
    expect(c.playbackBaseUrl).toBe('http://localhost:8080/media');
    expect(c.mediaDir).toMatch(/\.media$/);
    expect(c.sqs).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      queueName: 'ezlive-intake',
      credentials: undefined,
    });
    expect(c.corsOrigins).toEqual([]);
  });

  it('parses every setting', () => {
    const c = loadApiConfig({
      NODE_ENV: 'production',
      API_KEYS: 'aaaaaaaaaaaaaaaa:admin',
      API_PORT: '9000',
      SQS_ENDPOINT: 'http://sqs:4566',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      PLAYBACK_BASE_URL: 'https://cdn.example.com/live/',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      RATE_LIMIT_PER_MIN: '0',
      BODY_LIMIT_BYTES: '2048',
      MEDIA_DIR: '/srv/media',
    });
    expect(c).toMatchObject({
      port: 9000,
      production: true,
      generatedKey: null,
      playbackBaseUrl: 'https://cdn.example.com/live',
      corsOrigins: ['https://a.example', 'https://b.example'],
      rateLimitPerMin: 0,
      bodyLimitBytes: 2048,
      mediaDir: '/srv/media',
      sqs: {
        endpoint: 'http://sqs:4566',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
    });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ NODE_ENV: 'production' }, /API_KEYS: required/],
    [{ API_KEYS: 'short' }, /API_KEYS: entry 1/],
    [{ API_PORT: 'eighty' }, /API_PORT/],
    [{ RATE_LIMIT_PER_MIN: '-1' }, /RATE_LIMIT_PER_MIN/],
    [{ RATE_LIMIT_PER_MIN: 'many' }, /RATE_LIMIT_PER_MIN/],
    [{ BODY_LIMIT_BYTES: '10' }, /BODY_LIMIT_BYTES/],
    [{ SQS_ENDPOINT: 'localhost:4566' }, /SQS_ENDPOINT/],
    [{ PLAYBACK_BASE_URL: 'cdn' }, /PLAYBACK_BASE_URL/],
    [{ INTAKE_SWEEP_INTERVAL_MS: '1.5' }, /INTAKE_SWEEP_INTERVAL_MS/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow(message);
  });
});
