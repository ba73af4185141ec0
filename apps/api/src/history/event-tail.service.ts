import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobStreamId, type RecordedEvent } from '@ezlive/domain';
import {
  decodeStreamEntry,
  EVENT_SOURCING,
  EventSourcing,
  REDIS,
  type StreamEntry,
} from '@ezlive/infra';
import { LOGGER } from '../api.tokens';

/** How often an idle stream gets a comment line (keeps proxies from closing it). */
const KEEPALIVE_MS = 15_000;

const frame = (e: RecordedEvent): string =>
  `id: ${e.metadata.version}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * Server-Sent Events for one job: its history after `afterVersion`, then a live tail with
 * a blocking XREAD on the job's own stream (entry ids are `0-<version>`, so the tail
 * resumes exactly where the history ended and `Last-Event-ID` works across reconnects).
 * Each session holds one Redis connection; all are closed before shutdown.
 */
@Injectable()
export class EventTailService implements BeforeApplicationShutdown {
  private readonly sessions = new Set<() => void>();

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async stream(
    jobId: string,
    afterVersion: number,
    res: ServerResponse,
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    const streamId = jobStreamId(jobId);
    const tail = this.redis.duplicate({ maxRetriesPerRequest: null });
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      this.sessions.delete(close);
      tail.disconnect();
      if (!res.writableEnded) res.end();
    };
    this.sessions.add(close);
    res.on('close', close);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let last = afterVersion;
    try {
      const history = await this.es.store.readStream(streamId, { fromVersion: last + 1 });
      for (const e of history) {
        res.write(frame(e));
        last = e.metadata.version;
      }
      while (open) {
        const reply = (await tail.xread(
          'BLOCK',
          KEEPALIVE_MS,
          'STREAMS',
          this.es.keys.stream(streamId),
          `0-${last}`,
        )) as Array<[string, StreamEntry[]]> | null;
        if (!open) break;
        if (!reply) {
          res.write(': keep-alive\n\n');
          continue;
        }
        for (const entry of reply[0][1]) {
          const e = decodeStreamEntry(streamId, entry);
          res.write(frame(e));
          last = e.metadata.version;
          if (e.type === 'JobDeleted') close();
        }
      }
    } catch (err) {
      if (open) this.logger.warn({ jobId, err: (err as Error).message }, 'event stream ended');
    } finally {
      close();
    }
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.sessions]) close();
  }
}
