/**
 * Why FFmpeg ended:
 * - `clean`: exit 0 (the input ended: a publisher stopped, a file ran out);
 * - `stopped`: we asked it to stop (SIGTERM, or SIGKILL after the grace period);
 * - `signal`: someone else signalled it (OOM killer, operator);
 * - `input-lost`: the input failed mid-run (gateway gone, network timeout) — worth a restart;
 * - `error`: anything else (bad arguments, encoder failure, disk full).
 */
export type ExitKind = 'clean' | 'stopped' | 'signal' | 'input-lost' | 'error';

export interface FfmpegExit {
  kind: ExitKind;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last stderr lines, oldest first. */
  stderrTail: string[];
}

/** Stderr lines FFmpeg prints when the input side breaks (protocol or demuxer I/O). */
const INPUT_LOST =
  /Connection (?:timed out|reset by peer|refused)|Input\/output error|Operation timed out|End of file|Broken pipe|Stream ends prematurely|Server error|Unable to open resource|Network is unreachable/i;

/** FFmpeg's own message when a termination signal made it exit (it then exits 255, not by signal). */
const RECEIVED_SIGNAL = /Exiting normally, received signal|received signal \d+/i;

export interface ExitFacts {
  code: number | null;
  signal: NodeJS.Signals | null;
  stopRequested: boolean;
  stderrTail: string[];
}

export function classifyExit({ code, signal, stopRequested, stderrTail }: ExitFacts): FfmpegExit {
  const base = { code, signal, stderrTail };
  if (stopRequested) return { kind: 'stopped', ...base };
  if (code === 0 && signal === null) return { kind: 'clean', ...base };
  const text = stderrTail.join('\n');
  if (signal !== null || RECEIVED_SIGNAL.test(text)) return { kind: 'signal', ...base };
  if (INPUT_LOST.test(text)) return { kind: 'input-lost', ...base };
  return { kind: 'error', ...base };
}

/** The operating system's own error texts (strerror): the root cause when present. */
const OS_ERROR =
  /Read-only file system|No space left on device|Disk quota exceeded|Permission denied|No such file or directory|Too many open files|Cannot allocate memory|Input\/output error|Connection (?:refused|reset by peer|timed out)|Broken pipe/i;

/** Stderr lines that state a failure, as opposed to FFmpeg's closing chatter. */
const FAILURE_LINE =
  /error|fail|denied|read-only|no space|invalid|not found|unable|cannot|could not|refused/i;

/**
 * The stderr line that says why FFmpeg stopped: the last one carrying an OS error (FFmpeg
 * follows it with generic lines such as `Error initializing output stream 0:0 --`), else
 * the last one stating a failure (it often ends with warnings printed while closing), else
 * the last line.
 */
export function exitReasonLine(stderrTail: readonly string[]): string {
  const last = (re: RegExp) => [...stderrTail].reverse().find((l) => re.test(l));
  return last(OS_ERROR) ?? last(FAILURE_LINE) ?? stderrTail.at(-1) ?? 'no stderr';
}
