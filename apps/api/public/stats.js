/* global document */
// Live stats of a job: GET /v1/jobs/:id/stats every 2 s, drawn as four sparklines.

import { jobs, sleep } from './api.js';
import { h } from './dom.js';
import { sparkline } from './charts.js';

const POLL_MS = 2000;

export function createStats(jobId) {
  const charts = {
    ingestBitrateKbps: sparkline({ title: 'Ingest bitrate', unit: 'kb/s' }),
    outputFps: sparkline({ title: 'Output fps', unit: 'fps', digits: 1 }),
    speed: sparkline({ title: 'Speed', unit: '×', digits: 2 }),
    ffmpegCpuPercent: sparkline({ title: 'FFmpeg CPU', unit: '%' }),
  };
  const facts = h('p', { class: 'muted stats-facts', role: 'status' }, 'No stats yet.');
  const el = h(
    'div',
    { class: 'stats' },
    h(
      'div',
      { class: 'charts' },
      Object.values(charts).map((c) => c.el),
    ),
    facts,
  );
  const ctl = new AbortController();

  async function loop() {
    while (!ctl.signal.aborted) {
      if (!document.hidden) {
        try {
          const { latest, series } = await jobs.stats(jobId, { signal: ctl.signal });
          for (const [key, chart] of Object.entries(charts))
            chart.update(series.map((p) => ({ t: Date.parse(p.at), v: p[key] })));
          facts.textContent = latest
            ? `attempt ${latest.attempt} · up ${latest.uptimeSec}s (active ${latest.activeSec}s) · ` +
              `dropped ${latest.droppedFrames} · dup ${latest.dupFrames} · restarts ${latest.restarts}` +
              (latest.rssBytes ? ` · RSS ${Math.round(latest.rssBytes / 1e6)} MB` : '') +
              (latest.lastError ? ` · last error: ${latest.lastError}` : '')
            : 'No stats yet: they start once a publisher is connected.';
        } catch (err) {
          if (ctl.signal.aborted) return;
          facts.textContent = `stats: ${err.message}`;
        }
      }
      await sleep(POLL_MS, ctl.signal);
    }
  }
  void loop();
  return { el, destroy: () => ctl.abort() };
}
