import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { FlvFeed } from './flv-feed';
import { createRtmpProtocol, type RtmpProtocol } from './nms-protocol';

/** Maps a presented stream key to the job it belongs to on this worker, or `null`. */
export type PublishAuthorizer = (streamKey: string) => string | null;

export interface RtmpIngestOptions {
  /** Only this RTMP application is accepted (`rtmp://host:port/<app>/<key>`). @defaultValue 'live' */
  app?: string;
  /** A connection that has not started publishing by then is closed. @defaultValue 10000 */
  handshakeTimeoutMs?: number;
  /** A publisher silent this long is disconnected. @defaultValue 10000 */
  idleTimeoutMs?: number;
  /** Concurrent TCP connections accepted. @defaultValue 1000 */
  maxConnections?: number;
  /**
   * Merged read: after a read from a publishing connection that did not fill the read buffer,
   * the socket rests this long, so the next read takes everything that arrived meanwhile, and
   * its tags reach FFmpeg in one write. 0 reads as data arrives. @defaultValue 50
   */
  mergedReadMs?: number;
}

/**
 * A read this large filled Node's read buffer (64 KiB): more is waiting in the kernel, so the
 * socket reads on without resting and a merged read never limits the ingest bitrate.
 */
const FULL_READ_BYTES = 64 * 1024;

export interface Publication {
  jobId: string;
  feed: FlvFeed;
  remoteAddress: string;
  startedAt: number;
}

interface Events {
  /** A publisher presented a valid key and was accepted. */
  published: [Publication];
  /** The accepted publisher is gone (disconnect, timeout, kicked). */
  unpublished: [Publication, string];
  /** A publish attempt was refused; the key is never included. */
  refused: [{ remoteAddress: string; reason: string }];
}

/**
 * The worker's one public RTMP port. Streams are routed by stream key; a key that does not
 * belong to a job running on this worker is refused *before* `NetStream.Publish.Start`, so
 * nothing from an unauthenticated publisher ever reaches FFmpeg. Accepted media is exposed
 * as an {@link FlvFeed} per job, which the job's FFmpeg reads through its stdin.
 */
export class RtmpIngestServer extends EventEmitter<Events> {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly publications = new Map<string, { publication: Publication; socket: Socket }>();
  private readonly app: string;

  constructor(
    private readonly authorize: PublishAuthorizer,
    private readonly options: RtmpIngestOptions = {},
  ) {
    super();
    this.app = options.app ?? 'live';
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 1000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  publication(jobId: string): Publication | undefined {
    return this.publications.get(jobId)?.publication;
  }

  /** Disconnects a job's publisher (job stopped or moved). */
  kick(jobId: string, reason: string): void {
    const entry = this.publications.get(jobId);
    if (entry) this.drop(entry.socket, reason);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const rtmp = createRtmpProtocol();
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    let jobId: string | null = null;
    /** The accepted publication's feed: the media of this connection goes there. */
    let feed: FlvFeed | undefined;
    let closeReason = 'publisher disconnected';

    // Refuse to answer `publish` on the library's behalf: we answer after the key check.
    rtmp.respondPublish = () => undefined;
    rtmp.onOutputCallback = (buffer) => {
      if (!socket.destroyed) socket.write(buffer);
    };
    rtmp.onPlayCallback = () =>
      this.refuse(socket, rtmp, remoteAddress, 'playback is not served on the ingest port');
    rtmp.onPushCallback = () => {
      if (rtmp.streamApp !== this.app)
        return this.refuse(socket, rtmp, remoteAddress, `unknown application '${rtmp.streamApp}'`);
      const id = this.authorize(rtmp.streamName);
      if (!id) return this.refuse(socket, rtmp, remoteAddress, 'unknown stream key');
      if (this.publications.has(id))
        return this.refuse(socket, rtmp, remoteAddress, 'the job already has a publisher');
      jobId = id;
      feed = new FlvFeed();
      const publication: Publication = {
        jobId: id,
        feed,
        remoteAddress,
        startedAt: Date.now(),
      };
      this.publications.set(id, { publication, socket });
      rtmp.sendStatusMessage(rtmp.streamId, 'status', 'NetStream.Publish.Start', 'publishing');
      socket.setTimeout(this.options.idleTimeoutMs ?? 10_000);
      this.emit('published', publication);
    };
    rtmp.onPacketCallback = (packet) => feed?.push(packet);

    socket.setTimeout(this.options.handshakeTimeoutMs ?? 10_000);
    socket.on('timeout', () => {
      closeReason = jobId ? 'publisher idle timeout' : 'no publish before timeout';
      socket.destroy();
    });
    const restMs = this.options.mergedReadMs ?? 50;
    let resting: NodeJS.Timeout | undefined;
    socket.on('data', (data: Buffer) => {
      // The tags of one read go to each reader in one write (writev) instead of one each.
      const publishing = feed;
      publishing?.cork();
      const err = rtmp.parserData(data);
      publishing?.uncork();
      if (err) {
        closeReason = 'protocol error';
        socket.destroy();
        return;
      }
      // Only once media flows: the handshake and commands are answered as they come.
      if (publishing && restMs > 0 && data.length < FULL_READ_BYTES) {
        socket.pause();
        resting = setTimeout(() => socket.resume(), restMs);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(resting);
      this.sockets.delete(socket);
      if (!jobId) return;
      const entry = this.publications.get(jobId);
      if (entry?.socket !== socket) return;
      this.publications.delete(jobId);
      entry.publication.feed.end();
      this.emit(
        'unpublished',
        entry.publication,
        (socket as Socket & { ezReason?: string }).ezReason ?? closeReason,
      );
    });
  }

  private refuse(socket: Socket, rtmp: RtmpProtocol, remoteAddress: string, reason: string): void {
    rtmp.sendStatusMessage(rtmp.streamId, 'error', 'NetStream.Publish.BadName', reason);
    this.emit('refused', { remoteAddress, reason });
    // Let the status message leave, then close; nothing else is read from this socket.
    socket.removeAllListeners('data');
    socket.end(() => socket.destroy());
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  private drop(socket: Socket, reason: string): void {
    (socket as Socket & { ezReason?: string }).ezReason = reason;
    socket.destroy();
  }
}
