/* global document, Node, navigator */
// Tiny DOM helpers: no framework, no innerHTML with data (everything goes through textContent).

/** `h('a', {href, class, onclick}, child, …)`: children are nodes, strings or arrays of them. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Clipboard API on secure origins (localhost counts); a selected textarea elsewhere. */
export async function copyText(text, button) {
  let ok;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    ok = document.execCommand('copy');
    area.remove();
  }
  if (button) {
    const label = button.textContent;
    button.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => (button.textContent = label), 1200);
  }
}

/** A read-only value with a copy button, labelled for screen readers. */
export function copyField(label, value, { secret = false } = {}) {
  const id = `f-${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
  const input = h('input', {
    id,
    type: secret ? 'password' : 'text',
    readonly: true,
    spellcheck: 'false',
    class: 'mono',
    value,
  });
  const copy = h(
    'button',
    { type: 'button', class: 'small', onclick: () => copyText(value, copy) },
    'Copy',
  );
  copy.setAttribute('aria-label', `Copy ${label}`);
  const controls = [input];
  if (secret) {
    const show = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, 'Show');
    show.addEventListener('click', () => {
      const hidden = input.type === 'password';
      input.type = hidden ? 'text' : 'password';
      show.textContent = hidden ? 'Hide' : 'Show';
      show.setAttribute('aria-pressed', String(hidden));
    });
    controls.push(show);
  }
  controls.push(copy);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('div', { class: 'copy-row' }, controls),
  );
}

export function badge(state) {
  return h('span', { class: `badge state-${state}` }, state.replace('_', ' '));
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return (
    d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0')
  );
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '';
  const sec = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (sec < 60) return `${sec}s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m ago`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h ago`;
  return new Date(iso).toLocaleDateString();
}
