/**
 * Typed access to the two pieces of node-media-server v4 we use: its RTMP protocol state
 * machine (handshake, chunking, AMF commands) and its FLV tag writer. We do not run its
 * server: it is a process-wide singleton that exits the process when a port is busy and
 * logs stream paths, which contain stream keys (docs/worker.md: "RTMP ingest").
 * The deep imports are why the dependency is pinned to an exact version in package.json.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

export interface AvPacket {
  /** 8 audio, 9 video, 18 script data. */
  codec_type: number;
  codec_id: number;
  /** 0 audio sequence header, 1 audio frame, 2 video sequence header, 3 keyframe, 4 inter frame, 5 script, 6 HDR metadata. */
  flags: number;
  dts: number;
  pts: number;
  size: number;
  data: Buffer;
}

export interface ConnectRequest {
  app: string;
  name: string;
  host: string;
  query: Record<string, unknown>;
}

export interface RtmpProtocol {
  streamApp: string;
  streamName: string;
  streamId: number;
  onConnectCallback: (req: ConnectRequest) => void;
  onPlayCallback: () => void;
  onPushCallback: () => void;
  onPacketCallback: (packet: AvPacket) => void;
  onOutputCallback: (buffer: Buffer) => void;
  parserData(buffer: Buffer): string | null;
  respondPublish(): void;
  sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
}

export const PACKET = {
  AUDIO_HEADER: 0,
  AUDIO: 1,
  VIDEO_HEADER: 2,
  KEYFRAME: 3,
  INTER: 4,
  SCRIPT: 5,
  METADATA: 6,
} as const;

const Rtmp = require('node-media-server/src/protocol/rtmp.js') as new () => RtmpProtocol;
const Flv = require('node-media-server/src/protocol/flv.js') as {
  createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
  createMessage(packet: AvPacket): Buffer;
};

export const createRtmpProtocol = (): RtmpProtocol => new Rtmp();
export const flvHeader = (hasAudio: boolean, hasVideo: boolean): Buffer =>
  Flv.createHeader(hasAudio, hasVideo);
export const flvTag = (packet: AvPacket): Buffer => Flv.createMessage(packet);
