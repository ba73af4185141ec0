import type { VideoRendition } from '@ezlive/domain';

/** Output label of video rendition `i` in the filter graph. */
export function videoLabel(i: number): string {
  return `[v${i}]`;
}

/** Pixel format each rendition is encoded in: 10-bit only where the profile asks for it. */
export function pixelFormat(r: VideoRendition): 'yuv420p' | 'yuv420p10le' {
  return r.codec === 'h265' && r.profile === 'main10' ? 'yuv420p10le' : 'yuv420p';
}

interface ScaleNode {
  index: number;
  r: VideoRendition;
  children: ScaleNode[];
}

/**
 * Scaling tree of one frame-rate group: renditions largest first, each scaled from the smallest
 * already-scaled rendition at least as large in both dimensions (else from the group source).
 * Scaling 720p→540p costs about a third of 1080p→540p; measured in docs/ffmpeg.md.
 */
function scaleTree(group: Array<{ index: number; r: VideoRendition }>): ScaleNode[] {
  const sorted = [...group].sort((a, b) => b.r.width * b.r.height - a.r.width * a.r.height);
  const placed: ScaleNode[] = [];
  const roots: ScaleNode[] = [];
  for (const { index, r } of sorted) {
    const node: ScaleNode = { index, r, children: [] };
    const parent = [...placed]
      .reverse()
      .find((p) => p.r.width >= r.width && p.r.height >= r.height);
    (parent ? parent.children : roots).push(node);
    placed.push(node);
  }
  return roots;
}

/** `[in]split=n[a][b]…` or nothing when one consumer reads the pad directly. */
function fanOut(input: string, outs: string[]): string[] {
  return outs.length === 1 ? [] : [`${input}split=${outs.length}${outs.join('')}`];
}

function emitNode(node: ScaleNode, input: string, chains: string[], prefix = ''): void {
  const { index, r } = node;
  // Square pixels: players size the picture from width×height, not from a source SAR.
  const scaled = `${prefix}scale=${r.width}:${r.height},setsar=1`;
  // Publishers may send 4:2:2/4:4:4; every profile we emit is 4:2:0 (10-bit for main10).
  const format = `format=${pixelFormat(r)}`;
  if (node.children.length === 0) {
    chains.push(`${input}${scaled},${format}${videoLabel(index)}`);
    return;
  }
  const own = `[o${index}]`;
  const kids = node.children.map((c) => `[c${c.index}]`);
  // The unconverted 8-bit picture feeds the smaller renditions; only this branch is formatted.
  chains.push(`${input}${scaled},split=${kids.length + 1}${own}${kids.join('')}`);
  chains.push(`${own}${format}${videoLabel(index)}`);
  node.children.forEach((c, k) => emitNode(c, kids[k], chains));
}

/**
 * One decode for the whole ladder: the decoded video is split once per output frame rate,
 * rate-converted, then scaled down a cascade (each rendition from the next larger one) with a
 * `split` wherever a picture feeds more than one consumer. Returns the `-filter_complex`
 * value, or `undefined` for an audio-only job. Outputs are `[v<i>]` in spec order.
 */
export function buildFilterGraph(video: readonly VideoRendition[]): string | undefined {
  if (video.length === 0) return undefined;
  const groups = new Map<string, Array<{ index: number; r: VideoRendition }>>();
  video.forEach((r, index) => {
    const key = r.framerateFps === undefined ? 'source' : String(r.framerateFps);
    groups.set(key, [...(groups.get(key) ?? []), { index, r }]);
  });
  const chains: string[] = [];
  const groupPads = [...groups.keys()].map((_, g) => (groups.size === 1 ? '[0:v:0]' : `[g${g}]`));
  chains.push(...fanOut('[0:v:0]', groupPads));
  [...groups.entries()].forEach(([fps, members], g) => {
    const roots = scaleTree(members);
    // Drop frames once per rate, before scaling, so a 60→30 fps group scales half the pictures.
    const rate = fps === 'source' ? '' : `fps=${fps},`;
    const source = groupPads[g];
    if (roots.length === 1) {
      emitNode(roots[0], source, chains, rate);
      return;
    }
    const rootPads = roots.map((n) => `[r${n.index}]`);
    chains.push(`${source}${rate}split=${roots.length}${rootPads.join('')}`);
    roots.forEach((n, k) => emitNode(n, rootPads[k], chains));
  });
  return chains.join(';');
}
