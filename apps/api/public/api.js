/* global localStorage, URLSearchParams, TextDecoderStream */
// The ezlive REST API from the browser: bearer key from localStorage, problem+json errors,
// and Server-Sent Events read through fetch() (EventSource cannot send an Authorization header).

const KEY_STORAGE = 'ezlive.apiKey';

export const getKey = () => localStorage.getItem(KEY_STORAGE) ?? '';
export const setKey = (key) =>
  key ? localStorage.setItem(KEY_STORAGE, key) : localStorage.removeItem(KEY_STORAGE);

/** An RFC 9457 problem from the API (or a network failure, with status 0). */
export class ApiProblem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? (status === 0 ? 'NETWORK' : 'HTTP_ERROR');
    this.errors = body?.errors ?? [];
    this.warnings = body?.warnings ?? [];
  }
}

const listeners = new Set();
/** Called with every ApiProblem (the header shows "invalid key" on a 401). */
export const onProblem = (fn) => listeners.add(fn);

export async function api(method, path, body, { signal } = {}) {
  const headers = { authorization: `Bearer ${getKey()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw report(new ApiProblem(0, { detail: `network error: ${err.message}` }));
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { detail: text.slice(0, 200) };
  }
  if (!res.ok) throw report(new ApiProblem(res.status, json));
  return json;
}

function report(problem) {
  for (const fn of listeners) fn(problem);
  return problem;
}

const enc = encodeURIComponent;
export const jobs = {
  list: ({ state, cursor, limit = 100 } = {}) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (state) q.set('state', state);
    if (cursor) q.set('cursor', cursor);
    return api('GET', `/v1/jobs?${q}`);
  },
  get: (id, opts) => api('GET', `/v1/jobs/${enc(id)}`, undefined, opts),
  create: (spec) => api('POST', '/v1/jobs', spec),
  stop: (id) => api('POST', `/v1/jobs/${enc(id)}/stop`),
  resume: (id) => api('POST', `/v1/jobs/${enc(id)}/resume`),
  remove: (id) => api('DELETE', `/v1/jobs/${enc(id)}`),
  stats: (id, opts) => api('GET', `/v1/jobs/${enc(id)}/stats`, undefined, opts),
  stateAt: (id, version) => api('GET', `/v1/jobs/${enc(id)}/state?version=${enc(version)}`),
};

/**
 * Follows an SSE endpoint until `signal` aborts: parses `id`/`event`/`data`/`retry`, and
 * reconnects with `Last-Event-ID` after a drop (the server's `retry`, then backing off).
 * Gives up on 401/403/404, which no reconnect will fix. Resolves when it stops.
 */
export async function followEvents(path, { signal, onEvent, onStatus = () => {}, lastEventId }) {
  let retryMs = 2000;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const headers = { authorization: `Bearer ${getKey()}`, accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
      const res = await fetch(path, { headers, signal, cache: 'no-store' });
      if ([401, 403, 404].includes(res.status)) {
        onStatus('closed', res.status);
        return res.status;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      onStatus('open');
      failures = 0;
      await readStream(res.body, (msg) => {
        if (msg.retry) retryMs = msg.retry;
        if (msg.id !== undefined) lastEventId = msg.id;
        if (msg.data !== undefined) onEvent(msg);
      });
    } catch (err) {
      if (signal.aborted) return 0;
      onStatus('error', err.message);
    }
    if (signal.aborted) return 0;
    onStatus('reconnecting');
    failures++;
    await sleep(Math.min(retryMs * 2 ** Math.min(failures - 1, 3), 15_000), signal);
  }
  return 0;
}

async function readStream(body, onMessage) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let cut;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + (buf[cut] === '\r' ? 4 : 2));
      const msg = parseBlock(block);
      if (msg) onMessage(msg);
    }
  }
}

function parseBlock(block) {
  const msg = { event: 'message' };
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') msg.event = value;
    else if (field === 'id') msg.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) msg.retry = Number(value);
  }
  if (data.length) msg.data = data.join('\n');
  return msg.data !== undefined || msg.retry ? msg : null;
}

export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
