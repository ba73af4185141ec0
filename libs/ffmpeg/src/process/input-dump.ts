import { nominalFps, type AudioInfo, type InputInfo, type VideoInfo } from './probe-parser';

/**
 * Lines below `-loglevel level+warning` (`[info]`, `[verbose]`, …, with or without the
 * `[muxer @ 0x…]` context): kept out of the stderr ring, which is for warnings and errors.
 */
export const BELOW_WARNING = /^(?:\[[^\]]+ @ 0x[0-9a-f]+\] )?\[(?:info|verbose|debug|trace)\] /;

const INPUT_HEADER = /^\[info\] Input #0, ([^,]+), from /;
const INDENTED = /^\[info\] {2}/;

/**
 * FFmpeg's own description of its input (`av_dump_format`, printed at `info` level once the
 * input is open): for an SRT listener, where FFmpeg is the only reader of the feed, this is the
 * only place the worker learns what the publisher sends. Feed it every stderr line; it returns
 * the input info once, when the `Input #0` block ends.
 */
export class InputDumpParser {
  private block?: string[];
  private done = false;

  push(line: string): InputInfo | undefined {
    if (this.done) return undefined;
    if (!this.block) {
      if (INPUT_HEADER.test(line)) this.block = [line];
      return undefined;
    }
    if (INDENTED.test(line)) {
      this.block.push(line);
      return undefined;
    }
    this.done = true;
    return parseInputDump(this.block);
  }
}

const CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  '2.1': 3,
  quad: 4,
  '5.1': 6,
  '7.1': 8,
};

/** Parses an `Input #0` block (as printed with `-loglevel level+info`) into input info. */
export function parseInputDump(lines: readonly string[]): InputInfo {
  const formatName = INPUT_HEADER.exec(lines[0] ?? '')?.[1];
  const summary = lines.find((l) => /^\[info\] +Duration: /.test(l)) ?? '';
  const bitrate = /bitrate: (\d+) kb\/s/.exec(summary)?.[1];
  const streams = lines.filter((l) => /^\[info\] +Stream #0:\d+/.test(l));
  let video: VideoInfo | undefined;
  let audio: AudioInfo | undefined;
  for (const line of streams) {
    const kind = /: (Video|Audio): ([A-Za-z0-9_]+)(?: \(([^)]+)\))?/.exec(line);
    if (!kind) continue;
    const streamKbps = /, (\d+) kb\/s/.exec(line)?.[1];
    if (kind[1] === 'Video' && !video) {
      const size = /, (\d{1,5})x(\d{1,5})[ ,]/.exec(line);
      const fps = /, ([\d.]+) fps/.exec(line)?.[1] ?? /, ([\d.]+) tbr/.exec(line)?.[1];
      video = {
        codec: kind[2],
        ...(kind[3] && !kind[3].startsWith('[') ? { profile: kind[3] } : {}),
        width: size ? Number(size[1]) : 0,
        height: size ? Number(size[2]) : 0,
        ...(fps && Number(fps) > 0 ? { fps: nominalFps(Number(fps)) } : {}),
        ...(streamKbps ? { bitrateKbps: Number(streamKbps) } : {}),
      };
    } else if (kind[1] === 'Audio' && !audio) {
      const rate = /, (\d+) Hz/.exec(line)?.[1];
      const layout = /, \d+ Hz, ([^,]+)/.exec(line)?.[1]?.trim() ?? '';
      const channels =
        CHANNELS[layout.replace(/\(.*\)$/, '')] ?? Number(/^(\d+) channels/.exec(layout)?.[1] ?? 0);
      audio = {
        codec: kind[2],
        ...(kind[3] && !kind[3].startsWith('[') ? { profile: kind[3] } : {}),
        sampleRateHz: rate ? Number(rate) : 0,
        channels,
        ...(streamKbps ? { bitrateKbps: Number(streamKbps) } : {}),
      };
    }
  }
  return {
    ...(formatName ? { formatName } : {}),
    ...(bitrate ? { bitrateKbps: Number(bitrate) } : {}),
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
    streamCount: streams.length,
  };
}
