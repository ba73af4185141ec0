import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux we ship on. */
const CLK_TCK = 100;

export interface ProcessSample {
  /** CPU over the interval since the previous sample, percent of one core. */
  cpuPercent: number | null;
  rssBytes: number | null;
}

/**
 * Samples one process's CPU and memory from /proc: CPU is the delta of user+system time over
 * the delta of wall time between two samples — current load, not a lifetime average.
 */
export class ProcessSampler {
  private last?: { ticks: number; at: number };

  constructor(private readonly pid: number) {}

  async sample(nowMs: number): Promise<ProcessSample> {
    try {
      const [stat, status] = await Promise.all([
        readFile(`/proc/${this.pid}/stat`, 'utf8'),
        readFile(`/proc/${this.pid}/status`, 'utf8'),
      ]);
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      const prev = this.last;
      this.last = { ticks, at: nowMs };
      const cpuPercent =
        prev && nowMs > prev.at
          ? (((ticks - prev.ticks) / CLK_TCK) * 1000 * 100) / (nowMs - prev.at)
          : null;
      return {
        cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10,
        rssBytes: Number.isFinite(rssKb) ? rssKb * 1024 : null,
      };
    } catch {
      return { cpuPercent: null, rssBytes: null }; // the process is gone
    }
  }
}
