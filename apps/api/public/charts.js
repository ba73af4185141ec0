// Hand-rolled SVG sparklines for the stats series (no chart library).

import { clear, h, s } from './dom.js';

const W = 240;
const H = 64;
const PAD = 4;

/**
 * One chart: title, latest value, a line over the series with its max as the scale.
 * `update(points)` takes `[{t: ms, v: number|null}]`, oldest first; nulls break the line.
 */
export function sparkline({ title, unit, digits = 0 }) {
  const value = h('span', { class: 'chart-value' }, '–');
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    class: 'spark',
    role: 'img',
    'aria-label': `${title} over time`,
  });
  const scale = h('span', { class: 'chart-scale muted' });
  const el = h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, h('span', {}, title), value),
    svg,
    scale,
  );

  function update(points) {
    const vals = points.map((p) => p.v).filter((v) => typeof v === 'number');
    const last = points.at(-1)?.v;
    value.textContent = typeof last === 'number' ? `${last.toFixed(digits)} ${unit}` : '–';
    if (points.length < 2 || vals.length === 0) {
      clear(svg);
      scale.textContent = 'waiting for stats…';
      return;
    }
    // Scale to the 95th percentile, not the max: a start-up burst (speed 70× while the
    // worker drains the ingest buffer) would flatten everything after it. Outliers clip.
    const sorted = [...vals].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
    const max = Math.max(p95, vals.at(-1)) * 1.15 || 1;
    const t0 = points[0].t;
    const span = Math.max(1, points.at(-1).t - t0);
    const x = (t) => PAD + ((t - t0) / span) * (W - 2 * PAD);
    const y = (v) => H - PAD - (Math.min(v, max) / max) * (H - 2 * PAD);
    const segments = [];
    let cur = [];
    for (const p of points) {
      if (typeof p.v !== 'number') {
        if (cur.length) segments.push(cur);
        cur = [];
      } else cur.push(`${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    }
    if (cur.length) segments.push(cur);
    clear(
      svg,
      s('line', { x1: 0, x2: W, y1: H - PAD, y2: H - PAD, class: 'axis' }),
      segments.map((pts) =>
        pts.length === 1
          ? s('circle', { cx: pts[0].split(',')[0], cy: pts[0].split(',')[1], r: 2, class: 'dot' })
          : s('polyline', { points: pts.join(' '), class: 'line' }),
      ),
    );
    const minutes = Math.round(span / 6000) / 10;
    scale.textContent = `max ${Math.max(...vals).toFixed(digits)} ${unit} · last ${minutes} min`;
  }

  return { el, update };
}
