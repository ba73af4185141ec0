import { bootstrap, ConfigError } from '@ezlive/infra';
import { loadSchedulerConfig } from './scheduler.config';
import { SchedulerModule } from './scheduler.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadSchedulerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ezlive scheduler: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  await bootstrap('scheduler', SchedulerModule(config), config.port, '0.0.0.0', config.logLevel);
}

void main();
