/* global document */
// The job list in the sidebar: newest first, filterable by state, live.
// Live = the global event stream (`/v1/events/stream`): each event refreshes the list (and a
// slow poll is the safety net); while the stream is down it polls every 3 s. The open job's
// own SSE also patches its row (see job-page.js). `data-live` on the list says which.

import { followEvents, jobs } from './api.js';
import { badge, clear, fmtAgo, h } from './dom.js';

const POLL_MS = 3000;
const POLL_WITH_STREAM_MS = 20_000;

export function createJobList({ list, status, filter, more }) {
  let items = [];
  let nextCursor = null;
  let selected = null;
  let timer = null;
  let globalStream = false;
  let inflight = null;

  async function refresh() {
    if (inflight) return inflight;
    inflight = (async () => {
      try {
        const page = await jobs.list({ state: filter.value || undefined });
        items = page.items;
        nextCursor = page.nextCursor;
        status.textContent = items.length ? '' : 'No jobs yet: create one from a template.';
        render();
      } catch (err) {
        status.textContent = err.status === 401 ? 'Enter a valid API key above.' : err.message;
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  }

  async function loadMore() {
    if (!nextCursor) return;
    const page = await jobs.list({ state: filter.value || undefined, cursor: nextCursor });
    items = items.concat(page.items.filter((j) => !items.some((i) => i.id === j.id)));
    nextCursor = page.nextCursor;
    render();
  }

  function render() {
    clear(
      list,
      items.map((job) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#/jobs/${job.id}`,
              class: 'job-link',
              'aria-current': job.id === selected ? 'page' : undefined,
            },
            h('span', { class: 'job-name' }, job.name),
            badge(job.state),
            h('span', { class: 'job-meta mono' }, `${job.id.slice(-8)} · ${fmtAgo(job.createdAt)}`),
          ),
        ),
      ),
    );
    more.hidden = !nextCursor;
  }

  /** A fresher view of one job (from the job page) updates its row without a round trip. */
  function patch(job) {
    const i = items.findIndex((j) => j.id === job.id);
    if (i < 0) return void refresh();
    if (job.state === 'deleted') items.splice(i, 1);
    else items[i] = { ...items[i], state: job.state, name: job.name, updatedAt: job.updatedAt };
    render();
  }

  function select(id) {
    selected = id;
    render();
  }

  function schedule() {
    clearTimeout(timer);
    const ms = globalStream ? POLL_WITH_STREAM_MS : POLL_MS;
    timer = setTimeout(async () => {
      if (!document.hidden) await refresh();
      schedule();
    }, ms);
  }

  /** Follows `GET /v1/events/stream` (every job's events), reconnecting after drops. */
  async function tryGlobalStream() {
    const ctl = new AbortController();
    let debounce = null;
    const code = await followEvents('/v1/events/stream', {
      signal: ctl.signal,
      onStatus: (s) => {
        globalStream = s === 'open';
        list.dataset.live = globalStream ? 'sse' : 'polling';
        if (globalStream) void refresh(); // what changed while the stream was down
      },
      onEvent: () => {
        clearTimeout(debounce);
        debounce = setTimeout(refresh, 250);
      },
    });
    globalStream = false;
    list.dataset.live = 'polling';
    return code;
  }

  filter.addEventListener('change', refresh);
  more.addEventListener('click', loadMore);
  document.addEventListener('visibilitychange', () => !document.hidden && refresh());

  return {
    start() {
      refresh();
      schedule();
      void tryGlobalStream();
    },
    refresh,
    patch,
    select,
  };
}
