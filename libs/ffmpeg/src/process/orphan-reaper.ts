import { rm } from 'node:fs/promises';
import { procCommand, procStartTicks, readPidFiles, type PidRecord } from './pid-file';

export interface ReapResult {
  /** FFmpeg pids that were still running, owned by a dead process, and were killed. */
  killed: number[];
  /** Pid files removed because their process is gone or is no longer that FFmpeg. */
  stale: number[];
  /** FFmpegs whose owner is still alive (another supervisor): left alone. */
  owned: number[];
}

function alive(pid: number, startTicks: number): boolean {
  return procStartTicks(pid) === startTicks;
}

/** The pid is still the FFmpeg we started: same executable and same start time. */
function stillOurs(r: PidRecord): boolean {
  return procCommand(r.pid) === r.command && alive(r.pid, r.startTicks);
}

/**
 * Kill FFmpegs left behind by a supervisor that died without cleaning up. Call it at start-up
 * with the run dir the supervisors write pid files into. A pid is only signalled if
 * /proc/<pid>/cmdline and its start time still match the record, so a recycled pid is safe.
 */
export async function reapOrphans(runDir: string): Promise<ReapResult> {
  const result: ReapResult = { killed: [], stale: [], owned: [] };
  for (const { file, record } of await readPidFiles(runDir)) {
    if (!record || !stillOurs(record)) {
      await rm(file, { force: true });
      if (record) result.stale.push(record.pid);
      continue;
    }
    const ownerAlive = alive(record.ownerPid, record.ownerStartTicks);
    if (ownerAlive) {
      result.owned.push(record.pid);
      continue;
    }
    try {
      // SIGKILL, not SIGTERM: nobody is left to read its output or wait for a clean trailer.
      process.kill(record.pid, 'SIGKILL');
      result.killed.push(record.pid);
    } catch {
      result.stale.push(record.pid);
    }
    await rm(file, { force: true });
  }
  return result;
}
