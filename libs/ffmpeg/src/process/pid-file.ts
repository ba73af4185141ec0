import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** What a pid file records: enough to tell "our FFmpeg" from a recycled pid. */
export interface PidRecord {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: number;
  /** Executable basename the process was started as, e.g. `ffmpeg`. */
  command: string;
  ownerPid: number;
  ownerStartTicks: number;
}

const PREFIX = 'ffmpeg-';
const SUFFIX = '.pid.json';

/** /proc/<pid>/stat field 22, or undefined if the process is gone. */
export function procStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces; fields after the last ')' are space separated.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}

/** argv[0] basename of a live process, or undefined. */
export function procCommand(pid: number): string | undefined {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 ? basename(argv0) : undefined;
  } catch {
    return undefined;
  }
}

export function pidFilePath(runDir: string, pid: number): string {
  return join(runDir, `${PREFIX}${pid}${SUFFIX}`);
}

export async function writePidFile(runDir: string, pid: number, command: string): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const record: PidRecord = {
    pid,
    startTicks: procStartTicks(pid) ?? -1,
    command: basename(command),
    ownerPid: process.pid,
    ownerStartTicks: procStartTicks(process.pid) ?? -1,
  };
  await writeFile(pidFilePath(runDir, pid), JSON.stringify(record));
}

export async function removePidFile(runDir: string, pid: number): Promise<void> {
  await rm(pidFilePath(runDir, pid), { force: true });
}

export async function readPidFiles(
  runDir: string,
): Promise<Array<{ file: string; record?: PidRecord }>> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch {
    return [];
  }
  const files = names.filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX));
  return Promise.all(
    files.map(async (n) => {
      const file = join(runDir, n);
      try {
        return { file, record: JSON.parse(await readFile(file, 'utf8')) as PidRecord };
      } catch {
        return { file };
      }
    }),
  );
}
