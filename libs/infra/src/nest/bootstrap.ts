import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Type } from '@nestjs/common';
import { createLogger, NestPinoLogger } from '../logging/logger';

/**
 * Starts an app on Fastify with shutdown hooks (SIGTERM/SIGINT close modules, which
 * release connections, timers and child processes). A failed start exits non-zero with
 * the reason on one line.
 */
export async function bootstrap(
  app: string,
  module: Type<unknown>,
  port: number,
  host = '0.0.0.0',
  logLevel = 'info',
): Promise<NestFastifyApplication> {
  const logger = createLogger(app, logLevel);
  try {
    const nest = await NestFactory.create<NestFastifyApplication>(
      module,
      new FastifyAdapter({ bodyLimit: 256 * 1024 }),
      {
        logger: new NestPinoLogger(logger),
        abortOnError: false,
      },
    );
    nest.enableShutdownHooks();
    await nest.listen(port, host);
    logger.info({ port, host }, `${app} listening`);
    return nest;
  } catch (err) {
    logger.fatal({ err }, `${app} failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
}
