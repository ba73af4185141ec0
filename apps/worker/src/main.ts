import { bootstrap, ConfigError } from '@ezlive/infra';
import { loadWorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof Error) {
      console.error(`ezlive worker: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  await bootstrap('worker', WorkerModule(config), config.port, '0.0.0.0', config.logLevel);
}

void main();
