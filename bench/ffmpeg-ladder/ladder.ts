import type { AudioRendition, JobSpec, VideoRendition } from '@ezlive/domain';

/** The standard ladder: 720p/540p/360p h264 veryfast + AAC 128k, HLS with 2 s segments. */
function rung(name: string, width: number, height: number, kbps: number): VideoRendition {
  return {
    name,
    codec: 'h264',
    width,
    height,
    framerateFps: 30,
    bitrateKbps: kbps,
    maxBitrateKbps: kbps,
    bufferSizeKbps: 2 * kbps,
    preset: 'veryfast',
  };
}

const AAC: AudioRendition = {
  name: 'audio',
  codec: 'aac',
  bitrateKbps: 128,
  channels: 2,
  sampleRateHz: 48000,
};

export function ladderSpec(
  video = [
    rung('720p', 1280, 720, 3000),
    rung('540p', 960, 540, 2000),
    rung('360p', 640, 360, 800),
  ],
  audio = [AAC],
): JobSpec {
  return {
    name: 'bench',
    input: { protocol: 'rtmp', reconnectWindowSec: 30 },
    output: {
      formats: ['hls'],
      segmentFormat: 'fmp4',
      segmentDurationSec: 2,
      windowSec: 60,
      destination: { type: 'local' },
    },
    video,
    audio,
  };
}

/** The same ladder split the way the Go original ran it: one FFmpeg per rendition. */
export function perRenditionSpecs(): JobSpec[] {
  const full = ladderSpec();
  return [...full.video.map((v) => ladderSpec([v], [])), ladderSpec([], full.audio)];
}
