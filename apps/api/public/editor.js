/* global sessionStorage */
// The job editor: pick a template, edit its JSON, create. A 400 lists the API's field
// errors (path, code, message) under the editor; warnings of an accepted job show on its page.

import { jobs } from './api.js';
import { clear, h } from './dom.js';
import { TEMPLATES } from './templates.js';

const DRAFT = 'ezlive.draft';

/** JSON on one line with a space after each separator. */
function flat(v) {
  if (Array.isArray(v)) return `[${v.map(flat).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${flat(x)}`)
      .join(', ')} }`;
  return JSON.stringify(v);
}

/** JSON with small objects and arrays kept on one line, so a whole ladder fits on screen. */
export function pretty(value, indent = '') {
  const one = flat(value);
  if (one.length + indent.length <= 96 || value === null || typeof value !== 'object') return one;
  const next = `${indent}  `;
  const parts = Array.isArray(value)
    ? value.map((v) => next + pretty(v, next))
    : Object.entries(value).map(([k, v]) => `${next}${JSON.stringify(k)}: ${pretty(v, next)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${parts.join(',\n')}\n${indent}${close}`;
}

export function renderEditor(main, { onCreated }) {
  const saved = JSON.parse(sessionStorage.getItem(DRAFT) ?? 'null');
  const select = h(
    'select',
    { id: 'template' },
    TEMPLATES.map((t) => h('option', { value: t.id }, t.label)),
  );
  const description = h('p', { class: 'muted', id: 'template-desc' });
  const area = h('textarea', {
    id: 'spec',
    class: 'mono',
    rows: 20,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'template-desc spec-errors',
  });
  const errors = h('div', { id: 'spec-errors', 'aria-live': 'polite' });
  const create = h('button', { type: 'submit', class: 'primary', id: 'create' }, 'Create job');

  const load = (id) => {
    const t = TEMPLATES.find((x) => x.id === id) ?? TEMPLATES[0];
    select.value = t.id;
    description.textContent = t.description;
    area.value = pretty(t.spec);
    clear(errors);
  };
  if (saved && TEMPLATES.some((t) => t.id === saved.template)) {
    load(saved.template);
    area.value = saved.text;
  } else load(TEMPLATES[0].id);

  select.addEventListener('change', () => load(select.value));
  area.addEventListener('input', () =>
    sessionStorage.setItem(DRAFT, JSON.stringify({ template: select.value, text: area.value })),
  );

  const format = () => {
    const spec = parse();
    if (spec) area.value = pretty(spec);
  };

  function parse() {
    try {
      return JSON.parse(area.value);
    } catch (err) {
      showErrors('The spec is not valid JSON', [
        { path: '(json)', code: 'SYNTAX', message: err.message },
      ]);
      area.focus();
      return null;
    }
  }

  function showErrors(title, list) {
    clear(
      errors,
      h(
        'div',
        { class: 'problem', role: 'alert' },
        h('strong', {}, title),
        list.length
          ? h(
              'ul',
              { class: 'issues' },
              list.map((e) =>
                h(
                  'li',
                  {},
                  h('code', { class: 'path' }, e.path || '(spec)'),
                  ' ',
                  h('code', { class: 'code' }, e.code),
                  ' ',
                  h('span', {}, e.message),
                ),
              ),
            )
          : null,
      ),
    );
  }

  async function submit(ev) {
    ev.preventDefault();
    clear(errors);
    const spec = parse();
    if (!spec) return;
    create.disabled = true;
    create.textContent = 'Creating…';
    try {
      const job = await jobs.create(spec);
      sessionStorage.removeItem(DRAFT);
      onCreated(job);
    } catch (err) {
      showErrors(`${err.status || ''} ${err.message}`.trim(), err.errors ?? []);
    } finally {
      create.disabled = false;
      create.textContent = 'Create job';
    }
  }

  clear(
    main,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'editor-title' },
      h('h1', { id: 'editor-title' }, 'New job'),
      h(
        'form',
        { class: 'editor', onsubmit: submit, novalidate: true },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'template' }, 'Template'),
          select,
          description,
        ),
        h('div', { class: 'field' }, h('label', { for: 'spec' }, 'Job spec (JSON)'), area),
        errors,
        h(
          'div',
          { class: 'actions' },
          create,
          h('button', { type: 'button', onclick: format }, 'Format JSON'),
          h('button', { type: 'button', onclick: () => load(select.value) }, 'Reset to template'),
          h(
            'a',
            { href: '/docs', class: 'button link', target: '_blank', rel: 'noopener' },
            'API docs',
          ),
        ),
      ),
    ),
  );
}
