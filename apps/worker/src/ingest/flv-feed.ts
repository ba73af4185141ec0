import type { Writable } from 'node:stream';
import { flvHeader, flvTag, PACKET, type AvPacket } from './nms-protocol';

interface Sink {
  waitingForKeyframe: boolean;
  /** A prober reads a little and leaves; it never makes the transcoder drop frames. */
  probe: boolean;
}

/**
 * One publisher's media as FLV byte streams for FFmpeg (and ffprobe) stdins. It remembers the
 * codec configuration (metadata and sequence headers), so a reader attached later — a
 * restarted FFmpeg — starts with a decodable stream: header, configuration, next keyframe.
 */
export class FlvFeed {
  private metadata?: AvPacket;
  private audioHeader?: AvPacket;
  private videoHeader?: AvPacket;
  private readonly sinks = new Map<Writable, Sink>();
  private corked = false;
  /** Bytes received from the publisher (payload), for ingest stats. */
  bytesIn = 0;
  /** Bytes not delivered because a reader could not keep up. */
  bytesDropped = 0;

  /** Max bytes buffered towards a slow reader before frames are dropped up to the next keyframe. */
  constructor(private readonly maxBufferedBytes = 8 * 1024 * 1024) {}

  get hasVideo(): boolean {
    return this.videoHeader !== undefined;
  }

  /**
   * One packet from the RTMP parser. Its `data` is the parser's buffer for that chunk stream,
   * which the next message overwrites: the configuration kept for later readers is a copy.
   */
  push(packet: AvPacket): void {
    this.bytesIn += packet.size;
    if (packet.flags === PACKET.SCRIPT) this.metadata = copyOf(packet);
    else if (packet.flags === PACKET.AUDIO_HEADER) this.audioHeader = copyOf(packet);
    else if (packet.flags === PACKET.VIDEO_HEADER) this.videoHeader = copyOf(packet);
    for (const [sink, state] of this.sinks) this.write(sink, state, packet);
  }

  /** Attaches a reader; replays the configuration and resumes it at the next keyframe. */
  attach(sink: Writable, options: { probe?: boolean } = {}): void {
    this.sinks.set(sink, { waitingForKeyframe: true, probe: options.probe ?? false });
    sink.on('error', () => this.detach(sink)); // EPIPE when the reader exits: not our error
    sink.write(flvHeader(true, true));
    for (const p of [this.metadata, this.audioHeader, this.videoHeader])
      if (p) sink.write(flvTag(p));
  }

  /**
   * Holds what `push` writes to each reader until {@link uncork}, which hands it to the reader
   * in one write: the RTMP server corks around each read from the publisher. Fewer, larger
   * writes to FFmpeg's stdin cost this process fewer syscalls and FFmpeg fewer wake-ups.
   */
  cork(): void {
    this.corked = true;
    for (const sink of this.sinks.keys()) sink.cork();
  }

  uncork(): void {
    this.corked = false;
    for (const sink of this.sinks.keys()) sink.uncork();
  }

  detach(sink: Writable): void {
    // A reader let go mid-read still gets what it was given (uncork of an uncorked one is a no-op).
    if (this.sinks.delete(sink) && this.corked) sink.uncork();
  }

  /** Ends every reader: FFmpeg sees end of input and finishes its segments. */
  end(): void {
    for (const sink of this.sinks.keys()) sink.end();
    this.sinks.clear();
  }

  private write(sink: Writable, state: Sink, packet: AvPacket): void {
    if (!sink.writable) return this.detach(sink);
    if (
      packet.flags === PACKET.SCRIPT ||
      packet.flags === PACKET.AUDIO_HEADER ||
      packet.flags === PACKET.VIDEO_HEADER
    ) {
      sink.write(flvTag(packet));
      return;
    }
    if (state.waitingForKeyframe) {
      // Audio-only feeds have no keyframes to wait for.
      const start = packet.flags === PACKET.KEYFRAME || !this.videoHeader;
      if (!start) return;
      state.waitingForKeyframe = false;
    }
    if (sink.writableLength > this.maxBufferedBytes) {
      // The reader is not keeping up: drop up to the next keyframe rather than grow without bound.
      this.bytesDropped += packet.size;
      state.waitingForKeyframe = this.videoHeader !== undefined;
      return;
    }
    sink.write(flvTag(packet));
  }
}

const copyOf = (packet: AvPacket): AvPacket => ({
  ...packet,
  data: Buffer.from(packet.data.subarray(0, packet.size)),
});
