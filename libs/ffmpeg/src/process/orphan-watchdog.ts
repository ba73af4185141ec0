import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A tiny Node child shared by every FFmpeg of this process. It learns the FFmpeg pids over its
 * stdin; when stdin reaches EOF — our process died, even by SIGKILL, and the kernel closed the
 * pipe — it sends SIGTERM, then SIGKILL after a grace period, to every pid still listed. Linux's
 * PR_SET_PDEATHSIG would do this without a helper, but Node cannot call prctl.
 */
const WATCHDOG_SOURCE = `
const pids = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const [op, p] = buf.slice(0, i).split(' ');
    buf = buf.slice(i + 1);
    if (op === '+') pids.add(Number(p)); else pids.delete(Number(p));
  }
});
const kill = (sig) => { for (const p of pids) { try { process.kill(p, sig); } catch {} } };
process.stdin.on('end', () => {
  kill('SIGTERM');
  setTimeout(() => { kill('SIGKILL'); process.exit(0); }, Number(process.argv[1]));
});
`;

/** Grace period between the watchdog's SIGTERM and SIGKILL. */
const WATCHDOG_GRACE_MS = 2000;

let watchdog: ChildProcess | undefined;

function ensureWatchdog(): ChildProcess | undefined {
  if (watchdog && watchdog.exitCode === null && watchdog.stdin?.writable) return watchdog;
  try {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(WATCHDOG_GRACE_MS)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  } catch {
    return undefined;
  }
  // The watchdog must never keep our process alive, nor crash it if it goes away first.
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  stdin?.on('error', () => undefined);
  watchdog.on('error', () => undefined);
  return watchdog;
}

/** Ask the watchdog to kill `pid` if this process dies. Best effort: pid files are the backstop. */
export function watchPid(pid: number): void {
  ensureWatchdog()?.stdin?.write(`+ ${pid}\n`);
}

export function unwatchPid(pid: number): void {
  if (watchdog?.stdin?.writable) watchdog.stdin.write(`- ${pid}\n`);
}
