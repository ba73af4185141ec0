import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { classifyExit, type FfmpegExit } from './exit-classifier';
import { BELOW_WARNING, InputDumpParser } from './input-dump';
import { LineRing } from './line-ring';
import { unwatchPid, watchPid } from './orphan-watchdog';
import { removePidFile, writePidFile } from './pid-file';
import { ProcessError } from './process-error';
import type { InputInfo } from './probe-parser';
import { type FfmpegProgress, ProgressSplitter } from './progress-parser';

export interface FfmpegProcessOptions {
  /** argv without the program name (e.g. `buildTranscode(...).args`). */
  args: readonly string[];
  /** @defaultValue 'ffmpeg' */
  command?: string;
  /** Directory for pid files that {@link reapOrphans} reads after a crash. No pid files if unset. */
  runDir?: string;
  /** Grace period after SIGTERM before SIGKILL. @defaultValue 5000 */
  killTimeoutMs?: number;
  /** Aborting stops the process (same as {@link FfmpegProcess.stop}). */
  signal?: AbortSignal;
  /** Stderr lines kept for error reports. @defaultValue 50 */
  stderrLines?: number;
  /** Extra environment; SVT-AV1's info banner is silenced unless SVT_LOG is given. */
  env?: Record<string, string>;
  /** Register the pid with the shared orphan watchdog. @defaultValue true */
  watchdog?: boolean;
  /**
   * `'pipe'` gives the caller {@link FfmpegProcess.stdin} to feed the input (`-i pipe:0`):
   * the worker's ingest gateway writes the publisher's FLV there, and FFmpeg sees end of
   * input (and exits) if the worker dies. @defaultValue 'ignore'
   */
  stdin?: 'ignore' | 'pipe';
}

interface Events {
  progress: [FfmpegProgress];
  stderr: [string];
  /** FFmpeg's description of its opened input (only with `-loglevel level+info`). */
  input: [InputInfo];
  exit: [FfmpegExit];
}

/**
 * One FFmpeg run. Single use: once it has exited (cleanly or not) it cannot be started again;
 * the caller builds a new one, so no state of a failed process leaks into the next run.
 */
export class FfmpegProcess extends EventEmitter<Events> {
  private child?: ChildProcess;
  private readonly ring: LineRing;
  private stopRequested = false;
  private killTimer?: NodeJS.Timeout;
  private settled = false;
  private resolveExit!: (exit: FfmpegExit) => void;
  /** Resolves once, when the process has exited and its pid file is gone. */
  readonly exited: Promise<FfmpegExit>;

  constructor(private readonly options: FfmpegProcessOptions) {
    super();
    // Info lines (with `-loglevel level+info`) would push the warnings and errors out.
    this.ring = new LineRing(options.stderrLines ?? 50, (line) => !BELOW_WARNING.test(line));
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** FFmpeg's stdin when started with `stdin: 'pipe'`. */
  get stdin(): Writable | null {
    return this.child?.stdin ?? null;
  }

  stderrTail(): string[] {
    return this.ring.tail();
  }

  /** Spawn FFmpeg (never through a shell). Resolves once the pid is recorded. */
  async start(): Promise<number> {
    if (this.child) throw new ProcessError('PROCESS_ALREADY_STARTED', 'an FfmpegProcess runs once');
    const { signal } = this.options;
    if (signal?.aborted) throw new ProcessError('PROCESS_SPAWN_FAILED', 'aborted before start');
    const command = this.options.command ?? 'ffmpeg';
    const child = spawn(command, [...this.options.args], {
      // stdin is the media input when piped, else ignored; stdout carries -progress; stderr is the log.
      stdio: [this.options.stdin ?? 'ignore', 'pipe', 'pipe'],
      env: { SVT_LOG: '2', ...process.env, ...this.options.env },
    });
    this.child = child;
    // Writing to the stdin of an FFmpeg that is exiting raises EPIPE on the stream; without
    // a listener that would crash the owning process. The exit is reported through 'exit'.
    child.stdin?.on('error', () => undefined);
    const spawned = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', (err) => {
        const error = new ProcessError('PROCESS_SPAWN_FAILED', err.message, [err.message]);
        // A child that never spawned emits no 'close' on some Node versions: settle here too.
        this.finish(
          classifyExit({
            code: null,
            signal: null,
            stopRequested: false,
            stderrTail: [err.message],
          }),
        );
        reject(error);
      });
    });
    const splitter = new ProgressSplitter();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const p of splitter.push(chunk)) this.emit('progress', p);
    });
    const dump = new InputDumpParser();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of this.ring.push(chunk)) {
        const input = dump.push(line);
        if (input) this.emit('input', input);
        this.emit('stderr', line);
      }
    });
    // Listen before awaiting anything: a process that fails at once may close immediately.
    // 'close' (not 'exit'): stdout and stderr are drained, so the last progress block and
    // the final error lines are in before the exit is classified.
    let recorded: Promise<void> = Promise.resolve();
    child.once('close', (code, sig) => {
      void recorded.then(() => this.onClose(child.pid, code, sig));
    });
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const pid = await spawned;
    if (this.options.watchdog ?? true) watchPid(pid);
    if (this.options.runDir) {
      recorded = writePidFile(this.options.runDir, pid, command).catch(() => undefined);
      await recorded;
    }
    return pid;
  }

  /**
   * SIGTERM (FFmpeg finishes the segment and writes trailers), then SIGKILL after the grace
   * period. Resolves with the exit; safe to call repeatedly or after exit.
   */
  stop(): Promise<FfmpegExit> {
    const child = this.child;
    if (!child || !this.running) return this.exited;
    if (!this.stopRequested) {
      this.stopRequested = true;
      child.kill('SIGTERM');
      this.killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.killTimeoutMs ?? 5000);
    }
    return this.exited;
  }

  private async onClose(
    pid: number | undefined,
    code: number | null,
    sig: NodeJS.Signals | null,
  ): Promise<void> {
    clearTimeout(this.killTimer);
    if (pid !== undefined && (this.options.watchdog ?? true)) unwatchPid(pid);
    if (pid !== undefined && this.options.runDir) {
      await removePidFile(this.options.runDir, pid).catch(() => undefined);
    }
    const exit = classifyExit({
      code,
      signal: sig,
      stopRequested: this.stopRequested,
      stderrTail: this.ring.tail(),
    });
    this.finish(exit);
  }

  private finish(exit: FfmpegExit): void {
    if (this.settled) return;
    this.settled = true;
    this.emit('exit', exit);
    this.resolveExit(exit);
  }
}
