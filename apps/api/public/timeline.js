// The event timeline of a job, fed by its SSE stream. Clicking an event shows the job as it
// was right after it (GET /v1/jobs/:id/state?version=N): time travel over the event history.

import { jobs } from './api.js';
import { badge, clear, fmtTime, h } from './dom.js';

/** One line of the most telling fields of an event's data. */
function summary(e) {
  const d = e.data ?? {};
  if (e.type === 'JobCreated') return d.spec?.name ?? d.name ?? '';
  const keep = Object.entries(d).filter(
    ([k, v]) => !['spec', 'streamKeyFingerprint'].includes(k) && v !== null && v !== undefined,
  );
  const text = keep
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' ');
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

export function createTimeline(jobId) {
  const list = h('ol', { class: 'timeline', id: 'timeline' });
  const inspector = h('div', { class: 'inspector', 'aria-live': 'polite' });
  const events = [];
  let selected = null;

  function add(e) {
    if (events.some((x) => x.metadata.version === e.metadata.version)) return;
    events.push(e);
    const v = e.metadata.version;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'event',
        dataset: { version: v },
        'aria-pressed': 'false',
        onclick: () => travel(v),
      },
      h('span', { class: 'ev-version mono' }, `v${v}`),
      h('span', { class: 'ev-type' }, e.type),
      h('time', { class: 'ev-at mono', datetime: e.metadata.at }, fmtTime(e.metadata.at)),
      h('span', { class: 'ev-actor muted' }, e.metadata.actor),
      h('span', { class: 'ev-data muted mono' }, summary(e)),
    );
    // Follow new events when the reader is at the end of the list, not when they scrolled up.
    const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.append(h('li', {}, button));
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  async function travel(version) {
    selected = version;
    for (const b of list.querySelectorAll('button.event'))
      b.setAttribute('aria-pressed', String(Number(b.dataset.version) === version));
    clear(inspector, h('p', { class: 'muted' }, `Loading the job at v${version}…`));
    try {
      const at = await jobs.stateAt(jobId, version);
      if (selected !== version) return;
      const status = at.state?.status ?? at.view?.state ?? 'unknown';
      clear(
        inspector,
        h(
          'div',
          { class: 'inspector-head' },
          h('h3', {}, `State after v${at.version}`, ' ', badge(status)),
          h('span', { class: 'muted mono' }, at.at ? new Date(at.at).toISOString() : ''),
          h('button', { type: 'button', class: 'small', onclick: back }, 'Back to live'),
        ),
        h(
          'pre',
          { class: 'mono json', tabindex: '0', 'aria-label': `Job state at v${at.version}` },
          JSON.stringify(at.state, null, 2),
        ),
        h(
          'details',
          {},
          h('summary', {}, 'Read model (job view) at this version'),
          h('pre', { class: 'mono json', tabindex: '0' }, JSON.stringify(at.view, null, 2)),
        ),
      );
    } catch (err) {
      clear(inspector, h('p', { class: 'problem', role: 'alert' }, err.message));
    }
  }

  function back() {
    selected = null;
    for (const b of list.querySelectorAll('button.event')) b.setAttribute('aria-pressed', 'false');
    clear(
      inspector,
      h('p', { class: 'muted' }, 'Click an event to see the job as it was right after it.'),
    );
  }
  back();

  const el = h('div', { class: 'timeline-wrap' }, list, inspector);
  return { el, add, lastVersion: () => events.at(-1)?.metadata.version };
}
