/* global confirm */
// One job: state and actions, ingest (copy buttons, OBS "Server" / "Stream Key"), playback,
// live stats, and the event timeline. The job's SSE stream drives the timeline and refreshes.

import { followEvents, jobs } from './api.js';
import { badge, clear, copyField, h } from './dom.js';
import { createPlayer } from './player.js';
import { createStats } from './stats.js';
import { createTimeline } from './timeline.js';

const STOPPABLE = ['created', 'queued', 'awaiting_capacity', 'assigned', 'running', 'streaming'];
const RESUMABLE = ['stopped', 'failed'];
const DELETABLE = ['stopped', 'failed'];

export async function renderJobPage(main, id, { onChange, onDeleted }) {
  const ctl = new AbortController();
  clear(main, h('p', { class: 'muted', role: 'status' }, 'Loading job…'));
  let job;
  try {
    job = await jobs.get(id, { signal: ctl.signal });
  } catch (err) {
    clear(
      main,
      h(
        'section',
        { class: 'panel' },
        h('h1', {}, 'Job'),
        h('p', { class: 'problem', role: 'alert' }, err.message),
      ),
    );
    return { destroy: () => ctl.abort() };
  }

  const head = h('div', { class: 'job-head' });
  const notice = h('div', { 'aria-live': 'polite' });
  const ingest = h('div', { class: 'ingest' });
  const details = h('div', {});
  const player = createPlayer(job.playback);
  const stats = createStats(id);
  const timeline = createTimeline(id);
  const sse = h('span', { class: 'muted sse', role: 'status' }, 'events: connecting…');

  function render() {
    clear(
      head,
      h(
        'div',
        {},
        h('h1', { id: 'job-title' }, job.name, ' ', badge(job.state)),
        h('p', { class: 'muted mono' }, job.id),
      ),
      h(
        'div',
        { class: 'actions' },
        action('Stop', STOPPABLE, () => jobs.stop(id)),
        action('Resume', RESUMABLE, () => jobs.resume(id)),
        action('Delete', DELETABLE, remove, 'danger'),
      ),
    );
    renderIngest();
    renderDetails();
  }

  function action(label, allowed, run, cls = '') {
    const b = h(
      'button',
      {
        type: 'button',
        id: `job-${label.toLowerCase()}`,
        class: cls,
        disabled: !allowed.includes(job.state),
      },
      label,
    );
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const r = await run();
        if (r?.state) job = { ...job, state: r.state };
        clear(notice);
        render();
        onChange(job);
      } catch (err) {
        clear(notice, h('p', { class: 'problem', role: 'alert' }, `${label}: ${err.message}`));
        b.disabled = false;
      }
    });
    return b;
  }

  async function remove() {
    if (!confirm(`Delete job “${job.name}”? Its output and keys are erased.`)) return null;
    await jobs.remove(id);
    onDeleted(id);
    return null;
  }

  function renderIngest() {
    const rows = [];
    const { rtmp, srt, status } = job.ingest;
    if (!STOPPABLE.includes(job.state)) {
      rows.push(
        h('p', { class: 'muted' }, `No ingest: the job is ${job.state.replace('_', ' ')}.`),
      );
    } else if (rtmp === 'pending' || srt === 'pending') {
      rows.push(
        h(
          'p',
          { class: 'muted' },
          'Waiting for a worker: the ingest URL appears once the job is placed.',
        ),
      );
    }
    if (typeof rtmp === 'string' && rtmp !== 'pending') {
      const server = rtmp.slice(0, rtmp.lastIndexOf('/'));
      rows.push(
        copyField('RTMP URL', rtmp, { secret: true }),
        h(
          'div',
          { class: 'obs' },
          h('p', { class: 'muted' }, 'OBS → Settings → Stream → Service: Custom'),
          copyField('Server', server),
          copyField('Stream Key', job.streamKey, { secret: true }),
        ),
      );
    }
    if (srt && typeof srt === 'object') {
      const caller = `${srt.url}${srt.url.includes('?') ? '&' : '?'}passphrase=${encodeURIComponent(srt.passphrase)}`;
      rows.push(
        copyField('SRT URL', srt.url),
        copyField('SRT passphrase', srt.passphrase, { secret: true }),
        copyField('SRT URL with passphrase (FFmpeg, OBS)', caller, { secret: true }),
      );
    }
    const dest = rtmp && rtmp !== 'pending' ? rtmp : srt?.url ? `${srt.url}?passphrase=…` : null;
    if (dest) {
      rows.push(
        h(
          'details',
          {},
          h('summary', {}, 'Publish a test pattern with FFmpeg'),
          h(
            'pre',
            { class: 'mono json', tabindex: '0' },
            `ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\\n` +
              `  -c:v libx264 -preset veryfast -g 60 -c:a aac -f ${rtmp && rtmp !== 'pending' ? 'flv' : 'mpegts'} '${dest}'`,
          ),
        ),
      );
    }
    clear(
      ingest,
      h(
        'p',
        {},
        'Ingest: ',
        h('strong', { id: 'ingest-status' }, STOPPABLE.includes(job.state) ? status : 'closed'),
      ),
      rows,
    );
  }

  function renderDetails() {
    const items = [];
    if (job.warnings?.length)
      items.push(
        h(
          'div',
          { class: 'warning' },
          h('strong', {}, 'Warnings'),
          h(
            'ul',
            { class: 'issues' },
            job.warnings.map((w) =>
              h(
                'li',
                {},
                h('code', { class: 'path' }, w.path),
                ' ',
                h('code', {}, w.code),
                ' ',
                w.message,
              ),
            ),
          ),
        ),
      );
    if (job.lastError)
      items.push(
        h(
          'div',
          { class: 'problem' },
          h('strong', {}, `Last error: ${job.lastError.reason}`),
          h('pre', { class: 'mono json' }, job.lastError.detail.join('\n')),
        ),
      );
    const v = job.spec.video.map(
      (r) => `${r.name} ${r.codec} ${r.width}×${r.height} ${r.bitrateKbps}k`,
    );
    const a = job.spec.audio.map((r) => `${r.name} ${r.codec} ${r.bitrateKbps}k`);
    items.push(
      h(
        'dl',
        { class: 'facts' },
        fact('Worker', job.workerId ?? '–'),
        fact('Attempt', job.attempt),
        fact('Restarts', job.restarts),
        fact('Input', describeInput(job.input)),
        fact(
          'Output',
          `${job.spec.output.formats.join(' + ')} · ${job.spec.output.segmentFormat} · ${job.spec.output.segmentDurationSec}s segments · ${job.spec.output.windowSec}s window`,
        ),
        fact('Ladder', [...v, ...a].join(' · ')),
        job.stopReason ? fact('Stop reason', job.stopReason) : null,
      ),
    );
    clear(details, items);
  }

  const fact = (k, v) => [h('dt', {}, k), h('dd', {}, String(v))];

  let refreshTimer = null;
  const refresh = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        job = await jobs.get(id, { signal: ctl.signal });
        render();
        onChange(job);
      } catch (err) {
        if (err.status === 404) onChange({ ...job, state: 'deleted' });
      }
    }, 200);
  };

  void followEvents(`/v1/jobs/${encodeURIComponent(id)}/events/stream`, {
    signal: ctl.signal,
    onStatus: (s, detail) => (sse.textContent = `events: ${s}${detail ? ` (${detail})` : ''}`),
    onEvent: (msg) => {
      let e;
      try {
        e = JSON.parse(msg.data);
      } catch {
        return;
      }
      timeline.add(e);
      if (e.type === 'JobDeleted') {
        clear(notice, h('p', { class: 'warning', role: 'alert' }, 'This job was deleted.'));
        onChange({ ...job, state: 'deleted' });
      } else if (e.metadata.version > job.version) refresh();
    },
  });

  render();
  clear(
    main,
    h(
      'article',
      { class: 'job', 'aria-labelledby': 'job-title' },
      head,
      notice,
      h(
        'div',
        { class: 'grid' },
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'ingest-title' },
          h('h2', { id: 'ingest-title' }, 'Ingest'),
          ingest,
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'player-title' },
          h('h2', { id: 'player-title' }, 'Player'),
          player.el,
          h(
            'div',
            { class: 'playback-urls' },
            job.playback.hls ? copyField('HLS URL', job.playback.hls) : null,
            job.playback.dash ? copyField('DASH URL', job.playback.dash) : null,
          ),
        ),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'stats-title' },
        h('h2', { id: 'stats-title' }, 'Live stats'),
        stats.el,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'timeline-title' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', { id: 'timeline-title' }, 'Event timeline'),
          sse,
        ),
        timeline.el,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'details-title' },
        h('h2', { id: 'details-title' }, 'Details'),
        details,
      ),
    ),
  );
  main.focus({ preventScroll: true });

  return {
    destroy() {
      ctl.abort();
      clearTimeout(refreshTimer);
      stats.destroy();
      player.destroy();
    },
  };
}

/** `{video: {codec, width, height, fps}, audio: {codec, sampleRateHz, channels}}` in one line. */
function describeInput(input) {
  if (!input) return '–';
  const v = input.video;
  const a = input.audio;
  const parts = [];
  if (v) parts.push(`video ${v.codec} ${v.width}×${v.height}${v.fps ? ` ${v.fps} fps` : ''}`);
  if (a) parts.push(`audio ${a.codec} ${a.sampleRateHz ?? '?'} Hz ${a.channels ?? '?'} ch`);
  return parts.join(' · ') || JSON.stringify(input);
}
