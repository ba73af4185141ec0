/* global document, location, history, window */
// ezlive demo UI: hash routes `#/` (home), `#/new` (editor), `#/jobs/<id>` (job page).
// `#key=<api key>` (the link `npm start` prints) stores the key and is removed from the URL.

import { getKey, onProblem, setKey } from './api.js';
import { clear, h } from './dom.js';
import { renderEditor } from './editor.js';
import { renderJobPage } from './job-page.js';
import { createJobList } from './jobs-list.js';

const $ = (id) => document.getElementById(id);

function takeKeyFromHash() {
  const m = /^#key=([^&]+)$/.exec(location.hash);
  if (!m) return;
  setKey(decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}#/`);
}

function setupKeyForm() {
  const input = $('api-key');
  const conn = $('conn');
  input.value = getKey();
  $('key-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    setKey(input.value.trim());
    location.reload();
  });
  onProblem((p) => {
    if (p.status === 401) conn.textContent = 'API key missing or invalid';
    else if (p.status === 0) conn.textContent = 'API unreachable';
  });
  if (!getKey()) conn.textContent = 'Enter the API key (npm start prints it)';
}

let page = null;

async function route(list) {
  page?.destroy();
  page = null;
  const main = $('main');
  const hash = location.hash || '#/';
  const job = /^#\/jobs\/([A-Za-z0-9]+)$/.exec(hash);
  list.select(job?.[1] ?? null);
  if (hash === '#/new') {
    renderEditor(main, { onCreated: (created) => (location.hash = `#/jobs/${created.id}`) });
    document.title = 'New job · ezlive';
  } else if (job) {
    document.title = 'Job · ezlive';
    const current = location.hash;
    const p = await renderJobPage(main, job[1], {
      onChange: (j) => list.patch(j),
      onDeleted: () => {
        list.refresh();
        location.hash = '#/';
      },
    });
    if (location.hash === current) page = p;
    else p.destroy();
  } else {
    document.title = 'ezlive';
    clear(
      main,
      h(
        'section',
        { class: 'panel welcome' },
        h('h1', {}, 'Live channels'),
        h(
          'p',
          {},
          'Create a job from a template, publish to its RTMP or SRT URL, and play the HLS or DASH output here.',
        ),
        h(
          'p',
          {},
          h('a', { class: 'button primary', href: '#/new' }, 'New job'),
          ' ',
          h('a', { class: 'button link', href: '/docs' }, 'API docs'),
        ),
      ),
    );
  }
}

takeKeyFromHash();
setupKeyForm();
const list = createJobList({
  list: $('job-list'),
  status: $('list-status'),
  filter: $('state-filter'),
  more: $('more'),
});
window.addEventListener('hashchange', () => {
  if (/^#key=/.test(location.hash)) return location.reload();
  void route(list);
});
list.start();
void route(list);
