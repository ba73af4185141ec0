// Job spec templates for the editor. Each one is valid for the API as written (see
// libs/domain/src/job/spec): rendition names match ^[a-z0-9][a-z0-9_-]{0,31}$, DASH and AV1
// use fmp4, windowSec ≥ 3 × segmentDurationSec. The "test" ones are light enough for a laptop.

const aac = (bitrateKbps = 128) => ({ name: 'aac', codec: 'aac', bitrateKbps });
const h264 = (name, width, height, bitrateKbps, preset = 'veryfast') => ({
  name,
  codec: 'h264',
  width,
  height,
  bitrateKbps,
  preset,
});
const light = (formats) => ({
  formats,
  segmentFormat: 'fmp4',
  segmentDurationSec: 1,
  windowSec: 12,
});

export const TEMPLATES = [
  {
    id: 'hls-test',
    label: 'HLS test (240p + 144p, light)',
    description: 'Two small H.264 renditions, 1 s segments: plays within seconds on any machine.',
    spec: {
      name: 'hls test',
      input: { protocol: 'rtmp' },
      output: light(['hls']),
      video: [h264('240p', 426, 240, 400, 'ultrafast'), h264('144p', 256, 144, 150, 'ultrafast')],
      audio: [aac(96)],
    },
  },
  {
    id: 'dash-test',
    label: 'DASH test (240p + 144p, light)',
    description: 'The same light ladder packaged as DASH (fmp4).',
    spec: {
      name: 'dash test',
      input: { protocol: 'rtmp' },
      output: light(['dash']),
      video: [h264('240p', 426, 240, 400, 'ultrafast'), h264('144p', 256, 144, 150, 'ultrafast')],
      audio: [aac(96)],
    },
  },
  {
    id: 'hls-1080p',
    label: 'HLS ladder 1080p / 720p / 480p',
    description: 'A realistic three-rendition H.264 ladder with 2 s segments and a 60 s window.',
    spec: {
      name: 'hls 1080p ladder',
      input: { protocol: 'rtmp', reconnectWindowSec: 30 },
      output: { formats: ['hls'], segmentFormat: 'fmp4', segmentDurationSec: 2, windowSec: 60 },
      video: [
        h264('1080p', 1920, 1080, 6000),
        h264('720p', 1280, 720, 3000),
        h264('480p', 854, 480, 1200),
      ],
      audio: [aac(128)],
    },
  },
  {
    id: 'hls-dash',
    label: 'HLS + DASH 720p / 360p',
    description: 'One encode, packaged for both HLS and DASH players.',
    spec: {
      name: 'hls and dash',
      input: { protocol: 'rtmp' },
      output: {
        formats: ['hls', 'dash'],
        segmentFormat: 'fmp4',
        segmentDurationSec: 2,
        windowSec: 30,
      },
      video: [h264('720p', 1280, 720, 2500), h264('360p', 640, 360, 800)],
      audio: [aac(128)],
    },
  },
  {
    id: 'h265',
    label: 'H.265 (HEVC) 720p / 360p',
    description:
      'x265 in fmp4 HLS. Browsers without HEVC decoding (most Linux builds) cannot play it.',
    spec: {
      name: 'hevc ladder',
      input: { protocol: 'rtmp' },
      output: { formats: ['hls'], segmentFormat: 'fmp4', segmentDurationSec: 2, windowSec: 30 },
      video: [
        {
          name: '720p',
          codec: 'h265',
          width: 1280,
          height: 720,
          bitrateKbps: 1800,
          preset: 'ultrafast',
          profile: 'main',
        },
        {
          name: '360p',
          codec: 'h265',
          width: 640,
          height: 360,
          bitrateKbps: 500,
          preset: 'ultrafast',
          profile: 'main',
        },
      ],
      audio: [aac(128)],
    },
  },
  {
    id: 'av1',
    label: 'AV1 360p (HLS + DASH)',
    description: 'SVT-AV1 at its fastest preset; AV1 needs fmp4 segments.',
    spec: {
      name: 'av1 channel',
      input: { protocol: 'rtmp' },
      output: {
        formats: ['hls', 'dash'],
        segmentFormat: 'fmp4',
        segmentDurationSec: 2,
        windowSec: 30,
      },
      video: [
        { name: '360p', codec: 'av1', width: 640, height: 360, bitrateKbps: 600, preset: '12' },
      ],
      audio: [{ name: 'opus', codec: 'opus', bitrateKbps: 96 }],
    },
  },
  {
    id: 'audio-only',
    label: 'Audio only (AAC 128k + 64k)',
    description: 'A radio-style channel: no video renditions.',
    spec: {
      name: 'radio',
      input: { protocol: 'rtmp' },
      output: { formats: ['hls'], segmentFormat: 'fmp4', segmentDurationSec: 2, windowSec: 30 },
      video: [],
      audio: [
        { name: 'aac-128', codec: 'aac', bitrateKbps: 128 },
        { name: 'aac-64', codec: 'aac', bitrateKbps: 64 },
      ],
    },
  },
  {
    id: 'srt',
    label: 'SRT ingest, HLS 480p / 240p',
    description: 'The worker listens for an SRT caller with the passphrase shown on the job page.',
    spec: {
      name: 'srt channel',
      input: { protocol: 'srt', reconnectWindowSec: 30 },
      output: { formats: ['hls'], segmentFormat: 'fmp4', segmentDurationSec: 2, windowSec: 30 },
      video: [h264('480p', 854, 480, 1200), h264('240p', 426, 240, 400)],
      audio: [aac(128)],
    },
  },
];
