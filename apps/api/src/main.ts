import { ConfigError, createLogger } from '@ezlive/infra';
import { loadApiConfig, type ApiConfig } from './api.config';
import { createApiApp } from './http/create-api-app';

async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = loadApiConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ezlive api: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('api', config.logLevel);
  try {
    if (config.generatedKey) {
      // Development only (production refuses to boot without API_KEYS): shown once.
      logger.warn(
        `API_KEYS is not set: generated a development admin key for this run: ${config.generatedKey}`,
      );
    }
    const { app } = await createApiApp(config, logger);
    await app.listen(config.port, config.host);
    logger.info({ port: config.port, host: config.host }, 'api listening');
  } catch (err) {
    logger.fatal({ err }, `api failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
}

void main();
