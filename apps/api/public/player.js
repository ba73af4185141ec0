/* global document, location, window */
// Playback with the players bundled from npm, loaded on first use (they are ~1 MB together):
// hls.js for HLS (native HLS where the browser has it and MSE is missing), dash.js for DASH.

import { h } from './dom.js';

const RETRY_MS = 2000;
const WATCHDOG_MS = 1000;
/** Frozen this long while playing → reload (longer than a few 2 s segments arriving late). */
const STALL_MS = 8000;
/** dash.js MANIFEST_LOADER_LOADING_FAILURE and DOWNLOAD_ERROR_ID_MANIFEST: no manifest yet. */
const DASH_MANIFEST_MISSING = [11, 25];

const scripts = new Map();
function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(
      src,
      new Promise((resolve, reject) => {
        const el = h('script', { src });
        el.addEventListener('load', resolve);
        el.addEventListener('error', () => {
          scripts.delete(src);
          reject(new Error(`could not load ${src}`));
        });
        document.head.append(el);
      }),
    );
  }
  return scripts.get(src);
}

/**
 * A player box: format buttons, a <video>, a status line. `destroy()` detaches the
 * player library (stops its network activity) when the page changes.
 */
export function createPlayer(playback) {
  const video = h('video', { id: 'video', controls: true, muted: true, playsinline: true });
  video.muted = true; // autoplay policies allow muted playback without a gesture
  const status = h('p', { class: 'muted', role: 'status', id: 'player-status' }, 'Not playing.');
  let current = null;

  const formats = [
    ['hls', 'Play HLS', playback.hls],
    ['dash', 'Play DASH', playback.dash],
  ].filter(([, , url]) => url);

  const buttons = formats.map(([format, label, url]) =>
    h('button', { type: 'button', id: `play-${format}`, onclick: () => play(format, url) }, label),
  );
  const stopBtn = h('button', { type: 'button', onclick: () => stop('Stopped.') }, 'Stop playback');

  // Live players can wedge (a transcoder restart, a segment that came too late): when the
  // picture stays frozen while playing, reload from the live edge.
  let watchdog = null;
  function watch(format, url) {
    let last = -1;
    let still = 0;
    clearInterval(watchdog);
    watchdog = setInterval(() => {
      // readyState 0: nothing loaded yet (e.g. waiting for the first manifest), not a stall.
      if (video.paused || video.readyState === 0 || video.currentTime !== last) {
        last = video.currentTime;
        still = 0;
        return;
      }
      still += WATCHDOG_MS;
      if (still >= STALL_MS) {
        status.textContent = `${format.toUpperCase()} stalled for ${STALL_MS / 1000} s: reloading…`;
        void play(format, url);
      }
    }, WATCHDOG_MS);
  }

  async function play(format, url) {
    stop();
    watch(format, url);
    status.textContent = `Loading ${format.toUpperCase()}…`;
    try {
      current = format === 'hls' ? await playHls(url) : await playDash(url);
      current.format = format;
      await video.play().catch(() => {});
    } catch (err) {
      status.textContent = `Cannot play ${format.toUpperCase()}: ${err.message}`;
    }
  }

  async function playHls(url) {
    await loadScript('/vendor/hls.min.js');
    const Hls = window.Hls;
    if (!Hls.isSupported()) {
      if (!video.canPlayType('application/vnd.apple.mpegurl'))
        throw new Error('no MSE or native HLS');
      video.src = url;
      return { destroy: () => video.removeAttribute('src') };
    }
    const hls = new Hls({ liveSyncDurationCount: 3, lowLatencyMode: false });
    let timer = null;
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal) return;
      clearTimeout(timer);
      if (data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR) {
        // No playlist yet: the publisher has not started (or the first segment is not out).
        status.textContent = 'Waiting for the stream (no playlist yet)…';
        timer = setTimeout(() => hls.loadSource(url), RETRY_MS);
        return;
      }
      status.textContent = `HLS error: ${data.details}; retrying…`;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR)
        timer = setTimeout(() => hls.startLoad(), RETRY_MS);
      else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else status.textContent = `HLS error: ${data.details}`;
    });
    hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
      status.textContent = `HLS: ${data.levels.length} rendition(s) · ${url}`;
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    return {
      destroy: () => {
        clearTimeout(timer);
        hls.destroy();
      },
    };
  }

  async function playDash(url) {
    await loadScript('/vendor/dash.all.min.js');
    const player = window.dashjs.MediaPlayer().create();
    player.updateSettings({
      streaming: {
        delay: { liveDelayFragmentCount: 3 },
        // Without a UTCTiming element dash.js asks time.akamai.com; our own Date header will do.
        utcSynchronization: {
          defaultTimingSource: {
            scheme: 'urn:mpeg:dash:utc:http-head:2014',
            value: `${location.origin}/health/live`,
          },
        },
      },
    });
    let timer = null;
    player.on(window.dashjs.MediaPlayer.events.ERROR, (e) => {
      if (DASH_MANIFEST_MISSING.includes(e.error?.code)) {
        status.textContent = 'Waiting for the stream (no manifest yet)…';
        clearTimeout(timer);
        timer = setTimeout(() => player.attachSource(url), RETRY_MS);
        return;
      }
      status.textContent = `DASH error: ${e.error?.message ?? e.error?.code ?? 'unknown'}`;
    });
    player.on(window.dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
      status.textContent = `DASH · ${url}`;
    });
    player.initialize(video, url, true);
    return {
      destroy: () => {
        clearTimeout(timer);
        player.destroy();
      },
    };
  }

  function stop(message) {
    clearInterval(watchdog);
    if (current) {
      current.destroy();
      current = null;
    }
    video.removeAttribute('src');
    video.load();
    if (message) status.textContent = message;
  }

  const el = h(
    'div',
    { class: 'player' },
    h('div', { class: 'video-wrap' }, video),
    h('div', { class: 'actions' }, buttons, stopBtn),
    status,
  );
  if (formats.length === 0) status.textContent = 'This job has no playback URL.';
  return { el, video, destroy: () => stop() };
}
