import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Fields that may carry secrets are replaced before a line is written. */
export const REDACT_PATHS = [
  'streamKey',
  '*.streamKey',
  'passphrase',
  '*.passphrase',
  'req.headers.authorization',
  'headers.authorization',
  'apiKey',
  '*.apiKey',
  'secretAccessKey',
  '*.secretAccessKey',
];

/** Structured JSON logs on stdout, one line per entry. */
export function createLogger(app: string, level = 'info'): Logger {
  return pino({
    name: app,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app, pid: process.pid },
  });
}

/** Routes Nest's own logging through pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
