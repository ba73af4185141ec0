import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { API_CONFIG, LOGGER } from '../api.tokens';
import type { ApiConfig } from '../api.config';
import { IntakeOutbox } from './intake-outbox';

/** Runs the outbox sweep on a timer in every API replica (the sweep itself is locked). */
@Injectable()
export class IntakeReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly outbox: IntakeOutbox,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { sweepIntervalMs, resendAfterMs } = this.config.intake;
    if (sweepIntervalMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.outbox
        .sweep(resendAfterMs)
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'intake sweep failed'))
        .finally(() => (this.running = undefined));
    }, sweepIntervalMs);
    this.timer.unref();
  }

  /** Before the server closes and Redis quits, so an in-flight sweep can finish. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
