import { spawn } from 'node:child_process';
import { LineRing } from './line-ring';
import { type InputInfo, parseProbe } from './probe-parser';
import { ProcessError } from './process-error';

export interface ProbeOptions {
  /** @defaultValue 'ffprobe' */
  command?: string;
  /** Give up (and kill ffprobe) after this long; live URLs can block. @defaultValue 10000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra input options before `-i`, e.g. the transcode's fast probe settings. */
  inputArgs?: string[];
}

/** Run ffprobe on a URL or file and return typed stream info. */
export function probe(url: string, options: ProbeOptions = {}): Promise<InputInfo> {
  const args = [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    ...(options.inputArgs ?? []),
    '-i',
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? 'ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ring = new LineRing(20);
    let out = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => ring.push(c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10_000);
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => reject(new ProcessError('PROBE_FAILED', err.message)));
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (timedOut)
        return reject(
          new ProcessError('PROBE_TIMEOUT', `ffprobe timed out on ${url}`, ring.tail()),
        );
      if (code !== 0) {
        return reject(new ProcessError('PROBE_FAILED', `ffprobe exited with ${code}`, ring.tail()));
      }
      try {
        resolve(parseProbe(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}
