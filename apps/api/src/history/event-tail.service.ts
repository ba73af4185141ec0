import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { jobStreamId, type RecordedEvent } from '@ezlive/domain';
import { EVENT_SOURCING, EventSourcing } from '@ezlive/infra';
import { LOGGER } from '../api.tokens';
import { EventHub, type EventListener } from './event-hub';

/** How often an idle stream gets a comment line (keeps proxies from closing it). */
const KEEPALIVE_MS = 15_000;

const frame = (e: RecordedEvent, withId: boolean): string =>
  `${withId ? `id: ${e.metadata.version}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** Writes unless the response has ended (a write after end would raise on the socket). */
const send = (res: ServerResponse, text: string): void => {
  if (!res.writableEnded && !res.destroyed) res.write(text);
};

/**
 * Server-Sent Events. A job's stream is its history after `afterVersion`, then its new
 * events live, each with `id: <version>` so `Last-Event-ID` resumes exactly. The global
 * stream is every job's new events. Both ride on the one `EventHub` tail; all sessions are
 * closed before shutdown.
 */
@Injectable()
export class EventTailService implements BeforeApplicationShutdown {
  private readonly sessions = new Set<() => void>();

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    private readonly hub: EventHub,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** One job: history, then live; ends after `JobDeleted`. */
  async stream(
    jobId: string,
    afterVersion: number,
    res: ServerResponse,
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    const streamId = jobStreamId(jobId);
    let last = afterVersion;
    let close = () => {};
    const write = (e: RecordedEvent) => {
      if (e.metadata.version <= last) return;
      send(res, frame(e, true));
      last = e.metadata.version;
      if (e.type === 'JobDeleted') close();
    };
    const readFromStore = async () => {
      for (const e of await this.es.store.readStream(streamId, { fromVersion: last + 1 })) write(e);
    };
    const fail = (err: Error) => {
      this.logger.warn({ jobId, err: err.message }, 'event stream ended');
      close();
    };
    // Reads from the store run one after another, so frames stay in version order.
    let reading: Promise<void> = Promise.resolve();
    const resync = () => {
      reading = reading.then(readFromStore).catch(fail);
    };
    // Live events wait here while the history is read, so nothing falls in between.
    let pending: RecordedEvent[] | null = [];
    close = await this.open(res, headers, {
      onEvent: (e) => {
        if (e.metadata.streamId !== streamId) return;
        if (pending) pending.push(e);
        else if (e.metadata.version === last + 1) write(e);
        else if (e.metadata.version > last + 1) resync(); // the feed skipped some: read them
      },
      onResync: resync,
    });
    if (res.writableEnded) return;
    try {
      await readFromStore();
      const buffered = pending;
      pending = null;
      for (const e of buffered) write(e);
    } catch (err) {
      fail(err as Error);
    }
  }

  /** Every job's new events (no history: a client reloads what it shows on connect). */
  async streamAll(res: ServerResponse, headers: OutgoingHttpHeaders = {}): Promise<void> {
    await this.open(res, headers, {
      onEvent: (e) => send(res, frame(e, false)),
      onResync: () => send(res, 'event: resync\ndata: {}\n\n'),
    });
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.sessions]) close();
  }

  /**
   * Writes the SSE head, subscribes, keeps the connection alive; resolves with the closer
   * once live events flow. A feed that cannot start ends the response (the client retries).
   */
  private async open(
    res: ServerResponse,
    headers: OutgoingHttpHeaders,
    listener: EventListener,
  ): Promise<() => void> {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    send(res, 'retry: 2000\n\n');
    let unsubscribe: (() => void) | undefined;
    let open = true;
    const keepalive = setInterval(() => send(res, ': keep-alive\n\n'), KEEPALIVE_MS);
    const close = () => {
      if (!open) return;
      open = false;
      clearInterval(keepalive);
      unsubscribe?.();
      this.sessions.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.sessions.add(close);
    res.on('close', close);
    try {
      unsubscribe = await this.hub.subscribe(listener);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'event stream could not start');
      close();
    }
    if (!open) unsubscribe?.(); // the client left while we subscribed
    return close;
  }
}
