import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { InputInfo as DomainInputInfo, JobSpec } from '@ezlive/domain';
import {
  buildTranscode,
  completeMasterCodecs,
  DashPresentation,
  exitReasonLine,
  FfmpegProcess,
  PRESENTATION_STATE,
  previousRunFiles,
  restartIo,
  RestartPolicy,
  runOfMpdName,
  withEndList,
  writeAtomically,
  type FfmpegExit,
  type FfmpegProgress,
  type InputInfo,
  type TranscodeIo,
  type TranscodeOutputs,
} from '@ezlive/ffmpeg';
import type { JobStats } from '@ezlive/infra';
import type { Publication } from '../ingest/rtmp-ingest.server';
import type { OriginSink } from '../output/origin-sink';
import { SegmentPublisher } from '../output/segment-publisher';
import { CoalescedTask } from './coalesced-task';
import { probeFeed } from './feed-probe';
import type { JobReporter, ReportOutcome } from './job-reporter';
import { ProcessSampler } from './process-sampler';

/** RTMP: the gateway feeds FFmpeg's stdin. SRT: FFmpeg itself listens for the publisher. */
export type RunnerInput =
  { kind: 'rtmp' } | { kind: 'srt'; port: number; passphrase: string; latencyMs?: number };

export interface JobRunnerOptions {
  input: RunnerInput;
  /** Seconds a dropped publisher may take to come back (the job's `reconnectWindowSec`). */
  reconnectWindowSec: number;
  jobId: string;
  attempt: number;
  spec: JobSpec;
  outputDir: string;
  runDir: string;
  ffmpegPath: string;
  ffprobePath: string;
  stopTimeoutMs: number;
  restartMaxAttempts: number;
  reporter: JobReporter;
  /** Remote origin (S3, HTTP) the output directory is mirrored to; `null` for local. */
  sink: OriginSink | null;
  /** Called when the decider says the job is no longer ours, or it failed for good. */
  onTerminal: (jobId: string, why: 'fenced' | 'failed') => void;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  now?: () => number;
}

export type RunnerPhase =
  'waiting' | 'streaming' | 'reconnecting' | 'stopping' | 'stopped' | 'failed';

/**
 * Runs one assignment (job + attempt) on this worker. A publisher connecting starts an FFmpeg
 * run that reads its feed; a crash while the publisher stays is restarted with backoff (each
 * run continues the playlists with a discontinuity); a publisher that drops may come back
 * within the job's reconnect window without any event; after the window `IngestStopped`.
 * Run numbers are `attempt × 1000 + n`, so no run of any attempt reuses a segment file name.
 */
export class JobRunner {
  phase: RunnerPhase = 'waiting';
  private proc?: FfmpegProcess;
  private outputs?: TranscodeOutputs;
  private run = 0;
  private restarts = 0;
  private publication?: Publication;
  private reconnectTimer?: NodeJS.Timeout;
  private restartTimer?: NodeJS.Timeout;
  private readonly policy: RestartPolicy;
  private progress?: FfmpegProgress;
  private sampler?: ProcessSampler;
  private lastError: string | null = null;
  private readonly startedAt: number;
  private activeMs = 0;
  private activeSince?: number;
  private lastStats?: { at: number; bytes: number };
  private lastCpuPercent: number | null = null;
  private sourceFps?: number;
  /** SRT: the input FFmpeg's listener described (its stderr dump), for `IngestStarted`. */
  private srtInput?: InputInfo;
  private publisher?: SegmentPublisher;
  private tidyTimer?: NodeJS.Timeout;
  /** The current run's plan outputs (init segment names carry the run number). */
  private runOutputs?: TranscodeOutputs;
  private runStartedAt = 0;
  /** The run whose master playlist already carries its AV1 `CODECS`. */
  private codecsRun = 0;
  /** Dash muxer: the public MPD (and HLS playlists) stitched from every run's MPD. */
  private presentation?: DashPresentation;
  private presentationWatcher?: FSWatcher;
  private readonly restitch = new CoalescedTask(() => this.updatePresentation());
  /** Whether the first run looked at the origin for where a previous worker left the stream. */
  private continuedFromOrigin = false;

  constructor(private readonly o: JobRunnerOptions) {
    this.policy = new RestartPolicy({
      maxAttempts: o.restartMaxAttempts,
      initialDelayMs: 250,
      maxDelayMs: 5_000,
    });
    this.startedAt = this.now();
    this.run = o.attempt * 1000;
  }

  get jobId(): string {
    return this.o.jobId;
  }

  get attempt(): number {
    return this.o.attempt;
  }

  get ffmpegPid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  /** An authenticated publisher for this job connected (first time, or back). */
  async onPublished(publication: Publication): Promise<void> {
    if (this.ended) return;
    clearTimeout(this.reconnectTimer);
    const returning = this.phase === 'reconnecting';
    this.publication = publication;
    this.phase = 'streaming';
    this.activeSince = this.now();
    const input = await probeFeed(publication.feed, this.o.ffprobePath);
    this.sourceFps = input?.video?.fps ?? this.sourceFps;
    if (this.publication !== publication) return; // gone while probing
    if (!returning) {
      const outcome = await this.o.reporter.report(this.o.jobId, {
        type: 'ReportIngestStarted',
        data: {
          workerId: this.o.reporter.workerId,
          attempt: this.o.attempt,
          input: toDomainInput(input),
        },
      });
      if (this.fencedBy(outcome)) return;
    }
    await this.startRun();
  }

  /** The publisher left: FFmpeg reaches end of input; wait for it to come back. */
  onUnpublished(reason: string, reconnectWindowSec = this.o.reconnectWindowSec): void {
    if (this.phase !== 'streaming') return;
    this.publication = undefined;
    this.accumulateActive();
    this.phase = 'reconnecting';
    this.o.log('info', 'publisher left; waiting for it to reconnect', {
      jobId: this.o.jobId,
      reason,
      windowSec: reconnectWindowSec,
    });
    this.reconnectTimer = setTimeout(() => void this.endIngest(reason), reconnectWindowSec * 1000);
  }

  /**
   * Stops FFmpeg and publishes the last manifests. `ended`: the job itself stopped, so the
   * manifests say the stream is over (`EXT-X-ENDLIST`, a static stitched MPD) and players stop
   * waiting; a resume continues them. Without it (drain, reassignment) they stay live for the
   * run that continues elsewhere.
   */
  async stop(ended = false): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopping';
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.restartTimer);
    clearInterval(this.tidyTimer);
    this.publication?.feed.end();
    this.publication = undefined;
    this.accumulateActive();
    await this.proc?.stop();
    this.presentationWatcher?.close();
    await this.restitch.idle();
    await this.updatePresentation(ended);
    if (ended && !this.presentation) await this.endHlsPlaylists();
    await this.publisher?.close();
    this.phase = 'stopped';
  }

  /** FFmpeg's CPU (percent of one core) at the last stats sample; null while it does not run. */
  get measuredCpuPercent(): number | null {
    return this.lastCpuPercent;
  }

  /** Origin upload counters and lag (S3/HTTP destinations). */
  get publishStats() {
    return this.publisher?.stats;
  }

  async stats(): Promise<JobStats> {
    const now = this.now();
    // SRT: FFmpeg's listener reads the feed itself and reports no byte count.
    const srt = this.o.input.kind === 'srt';
    const bytes = this.publication?.feed.bytesIn ?? this.lastStats?.bytes ?? 0;
    const kbps =
      this.publication && this.lastStats && now > this.lastStats.at
        ? ((bytes - this.lastStats.bytes) * 8) / (now - this.lastStats.at)
        : null;
    this.lastStats = { at: now, bytes };
    const proc = this.proc?.running ? await this.sampler?.sample(now) : undefined;
    this.lastCpuPercent = proc?.cpuPercent ?? null;
    return {
      at: new Date(now).toISOString(),
      attempt: this.o.attempt,
      ingestBitrateKbps: kbps === null ? null : Math.round(kbps),
      ingestBytes: srt ? null : bytes,
      outputFps: this.progress?.fps ?? null,
      speed: this.progress?.speed ?? null,
      droppedFrames: this.progress?.dropFrames ?? 0,
      dupFrames: this.progress?.dupFrames ?? 0,
      ffmpegCpuPercent: proc?.cpuPercent ?? null,
      rssBytes: proc?.rssBytes ?? null,
      uptimeSec: Math.round((now - this.startedAt) / 1000),
      activeSec: Math.round(
        (this.activeMs + (this.activeSince ? now - this.activeSince : 0)) / 1000,
      ),
      restarts: this.restarts,
      lastError: this.lastError,
    };
  }

  /** SRT: start FFmpeg's listener; it waits for the publisher. Called once the job runs here. */
  async listen(): Promise<void> {
    if (this.o.input.kind !== 'srt' || this.ended) return;
    await this.startRun();
  }

  private inputOf(): TranscodeIo['input'] {
    const input = this.o.input;
    return input.kind === 'srt'
      ? {
          kind: 'srt',
          url: `srt://0.0.0.0:${input.port}`,
          passphrase: input.passphrase,
          latencyMs: input.latencyMs,
        }
      : { kind: 'url', url: 'pipe:0' };
  }

  /** Stopping, stopped or failed: nothing may start another FFmpeg run for this assignment. */
  private get ended(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped' || this.phase === 'failed';
  }

  /**
   * Starts an FFmpeg run. A run that cannot even start — its output directory is not
   * writable, the binary cannot be spawned — counts as a crash: retried with backoff
   * within the budget, then the job fails with that error as the reason.
   */
  private async startRun(): Promise<void> {
    try {
      await this.spawnRun();
    } catch (err) {
      if (this.ended) return;
      const message = (err as Error).message;
      await this.onCrash({ kind: 'error', code: null, signal: null, stderrTail: [message] });
    }
  }

  private async spawnRun(): Promise<void> {
    const publication = this.publication;
    const srt = this.o.input.kind === 'srt';
    if (this.ended || (!srt && (!publication || this.phase !== 'streaming'))) return;
    // AV1's keyframe interval needs the source rate (SVT-AV1 in 5.1 ignores forced keyframes).
    const probeIo = {
      input: this.inputOf(),
      outputDir: this.o.outputDir,
      sourceFps: this.sourceFps,
    };
    // The layout does not depend on the run, so any plan tells where the last playlists are.
    this.outputs ??= buildTranscode(this.o.spec, probeIo).outputs;
    if (!this.continuedFromOrigin) {
      this.continuedFromOrigin = true;
      await this.continueFromOrigin(this.outputs);
    }
    const next = await restartIo(this.outputs, this.run);
    this.run = next.runNumber;
    const plan = buildTranscode(this.o.spec, { ...probeIo, ...next });
    await Promise.all(plan.outputs.directories.map((d) => mkdir(d, { recursive: true })));
    // stop() may have run during the awaits above; it only stops the process it can see.
    if (this.ended) return;
    if (this.o.sink && !this.publisher) {
      this.publisher = new SegmentPublisher(this.o.outputDir, this.o.sink, (err) => {
        this.lastError = `publish: ${err.message}`;
        this.o.log('warn', 'origin upload failed', { jobId: this.o.jobId, err: err.message });
      });
      this.publisher.start([this.o.outputDir, ...plan.outputs.directories]);
    }
    if (plan.outputs.runMpd && !this.presentation) {
      this.presentation = new DashPresentation(this.o.spec, plan.outputs);
      // dashenc renames each MPD update into place: restitch on that, not on every segment.
      this.presentationWatcher = watch(this.o.outputDir, (_event, name) => {
        if (name && runOfMpdName(String(name)) !== undefined) this.restitch.request();
      });
      this.presentationWatcher.on('error', () => undefined); // the tidy tick restitches too
    }
    const proc = new FfmpegProcess({
      args: plan.args,
      command: this.o.ffmpegPath,
      stdin: srt ? 'ignore' : 'pipe',
      runDir: this.o.runDir,
      killTimeoutMs: this.o.stopTimeoutMs,
    });
    this.proc = proc;
    this.runOutputs = plan.outputs;
    this.runStartedAt = Date.now();
    this.progress = undefined;
    this.tidyTimer ??= setInterval(
      () => void this.tidy(),
      Math.max(1, this.o.spec.output.segmentDurationSec) * 1000,
    );
    // SRT: FFmpeg is the listener, so its input dump says what the publisher sends.
    proc.on('input', (info) => {
      this.srtInput = info;
      this.sourceFps = info.video?.fps ?? this.sourceFps;
    });
    proc.on('progress', (p) => {
      this.progress = p;
      if (srt && (p.frame ?? 0) + (p.outTimeSec ?? 0) > 0) void this.onSrtMedia();
    });
    void proc.exited.then((exit) => this.onExit(proc, exit));
    const pid = await proc.start();
    this.sampler = new ProcessSampler(pid);
    if (publication && this.publication === publication && proc.stdin)
      publication.feed.attach(proc.stdin);
    else proc.stdin?.end();
    this.o.log('info', 'transcoder started', {
      jobId: this.o.jobId,
      attempt: this.o.attempt,
      run: this.run,
      pid,
      startNumber: next.startNumber,
    });
  }

  private async onExit(proc: FfmpegProcess, exit: FfmpegExit): Promise<void> {
    if (proc.stdin) this.publication?.feed.detach(proc.stdin);
    if (proc !== this.proc || exit.kind === 'stopped') return;
    if (this.o.input.kind === 'srt') return this.onSrtExit(exit);
    if (this.phase !== 'streaming') return;
    if (!this.publication) return; // end of input after the publisher left: expected
    await this.onCrash(exit);
  }

  /**
   * SRT: the listener ended. If media was flowing and it ended cleanly or with an input error,
   * the publisher left: listen again at once and give it the reconnect window. Anything else
   * (or an exit while waiting) is a crash, handled by the restart budget.
   */
  private async onSrtExit(exit: FfmpegExit): Promise<void> {
    const left =
      this.phase === 'streaming' && (exit.kind === 'clean' || exit.kind === 'input-lost');
    if (left) {
      this.onUnpublished('publisher disconnected', this.o.reconnectWindowSec);
      await this.startRun();
      return;
    }
    if (this.ended) return;
    await this.onCrash(exit);
  }

  /** SRT: the first media of a connection arrived through the listener. */
  private async onSrtMedia(): Promise<void> {
    if (this.phase === 'streaming' || this.ended) return;
    const returning = this.phase === 'reconnecting';
    clearTimeout(this.reconnectTimer);
    this.phase = 'streaming';
    this.activeSince = this.now();
    if (returning) return;
    const outcome = await this.o.reporter.report(this.o.jobId, {
      type: 'ReportIngestStarted',
      data: {
        workerId: this.o.reporter.workerId,
        attempt: this.o.attempt,
        input: toDomainInput(this.srtInput ?? null),
      },
    });
    this.fencedBy(outcome);
  }

  private async onCrash(exit: FfmpegExit): Promise<void> {
    // The publisher is still there (or FFmpeg failed on its own), so FFmpeg crashed.
    const reason = `${exit.kind}${exit.code !== null ? ` (exit ${exit.code})` : ''}${exit.signal ? ` (${exit.signal})` : ''}: ${lastLine(exit)}`;
    this.lastError = reason;
    const decision = this.policy.onFailure(exit, this.now());
    if (decision.action === 'give-up') {
      this.phase = 'failed';
      clearInterval(this.tidyTimer);
      this.o.log('error', 'transcoder restart budget spent', { jobId: this.o.jobId, reason });
      await this.o.reporter.report(this.o.jobId, {
        type: 'ReportFailed',
        data: {
          workerId: this.o.reporter.workerId,
          attempt: this.o.attempt,
          // The budget message says how often; FFmpeg's failure line says why.
          reason: `${decision.error.message}: ${lastLine(exit)}`,
          detail: exit.stderrTail.slice(-20),
        },
      });
      this.o.onTerminal(this.o.jobId, 'failed');
      return;
    }
    this.restarts++;
    this.o.log('warn', 'transcoder exited; restarting', {
      jobId: this.o.jobId,
      reason,
      delayMs: decision.delayMs,
    });
    const outcome = await this.o.reporter.report(this.o.jobId, {
      type: 'ReportTranscoderRestarted',
      data: {
        workerId: this.o.reporter.workerId,
        attempt: this.o.attempt,
        restart: decision.attempt,
        exitCode: exit.code,
        signal: exit.signal,
        reason,
      },
    });
    if (this.fencedBy(outcome) || this.ended) return; // stopped while reporting
    this.restartTimer = setTimeout(() => void this.startRun(), decision.delayMs);
  }

  /**
   * Once per segment while the job runs: fill in the AV1 `CODECS` FFmpeg 5.1 leaves out of each
   * run's HLS master, and delete files of earlier runs (a restarted FFmpeg's
   * `delete_segments` does not know them) once they are older than the live window plus the
   * segments kept for players still fetching them. Failures are retried on the next tick.
   */
  private async tidy(): Promise<void> {
    const outputs = this.runOutputs;
    if (!outputs || this.ended) return;
    const { windowSec, segmentDurationSec } = this.o.spec.output;
    // Dash muxer: the stitched manifests drop earlier runs' segments as they leave the window.
    if (this.presentation) this.restitch.request();
    try {
      const master = outputs.master;
      const av1 = !this.presentation && this.o.spec.video.some((v) => v.codec === 'av1');
      if (av1 && master && this.codecsRun !== this.run) {
        // This run's master, not the one the previous run left behind.
        const written = await stat(master).catch(() => undefined);
        if (written && written.mtimeMs >= this.runStartedAt) {
          // Not done until it says so: the init segments may not be written yet.
          const done =
            (await completeMasterCodecs(this.o.spec, outputs)) ||
            /CODECS="av01\./.test(await readFile(master, 'utf8'));
          if (done) this.codecsRun = this.run;
        }
      }
      const expiredBefore = Date.now() - (windowSec + 3 * segmentDurationSec) * 1000;
      for (const file of await previousRunFiles(outputs, this.run)) {
        if (file.mtimeMs < expiredBefore) await rm(file.path, { force: true });
      }
    } catch (err) {
      this.o.log('warn', 'output housekeeping failed; retrying', {
        jobId: this.o.jobId,
        err: (err as Error).message,
      });
    }
  }

  /**
   * Remote origins: a job taken over from another worker (or resumed) starts with an empty
   * local directory. Fetch what the origin has that says where the stream is (the HLS media
   * playlists, or the DASH presentation state) so the first run here continues its sequence
   * numbers and clock instead of starting them again. Best effort: the stream starts anyway.
   */
  private async continueFromOrigin(outputs: TranscodeOutputs): Promise<void> {
    const sink = this.o.sink;
    if (!sink) return;
    const wanted = outputs.runMpd
      ? [join(outputs.dir, PRESENTATION_STATE)]
      : outputs.renditions.flatMap((r) => (r.playlist ? [r.playlist] : []));
    for (const path of wanted) {
      if (await exists(path)) continue; // this worker has it already
      try {
        const body = await sink.get(relative(this.o.outputDir, path));
        if (!body) continue;
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
      } catch (err) {
        this.o.log('warn', 'could not read the stream position from the origin', {
          jobId: this.o.jobId,
          err: (err as Error).message,
        });
      }
    }
  }

  /** HLS muxer: runs write `omit_endlist` (a crash must not end the stream); a stop does. */
  private async endHlsPlaylists(): Promise<void> {
    for (const r of this.outputs?.renditions ?? []) {
      if (!r.playlist) continue;
      try {
        const text = await readFile(r.playlist, 'utf8');
        const ended = withEndList(text);
        if (ended !== text) await writeAtomically(r.playlist, ended);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // never written
        this.o.log('warn', 'could not end the playlist', {
          jobId: this.o.jobId,
          err: (err as Error).message,
        });
      }
    }
  }

  private async updatePresentation(ended = false): Promise<void> {
    try {
      await this.presentation?.update({ ended });
    } catch (err) {
      // Retried on the next MPD change or tidy tick; players keep the previous manifest.
      this.o.log('warn', 'manifest stitching failed', {
        jobId: this.o.jobId,
        err: (err as Error).message,
      });
    }
  }

  private async endIngest(reason: string): Promise<void> {
    if (this.phase !== 'reconnecting') return;
    this.phase = 'waiting';
    const outcome = await this.o.reporter.report(this.o.jobId, {
      type: 'ReportIngestStopped',
      data: { workerId: this.o.reporter.workerId, attempt: this.o.attempt, reason },
    });
    this.fencedBy(outcome);
  }

  private fencedBy(outcome: ReportOutcome): boolean {
    if (outcome !== 'fenced') return false;
    this.o.log('warn', 'job is no longer assigned to this worker; stopping it', {
      jobId: this.o.jobId,
      attempt: this.o.attempt,
    });
    this.o.onTerminal(this.o.jobId, 'fenced');
    return true;
  }

  private accumulateActive(): void {
    if (this.activeSince !== undefined) this.activeMs += this.now() - this.activeSince;
    this.activeSince = undefined;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}

const lastLine = (exit: FfmpegExit): string => exitReasonLine(exit.stderrTail);

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

function toDomainInput(info: InputInfo | null): DomainInputInfo {
  if (!info) return {};
  return {
    ...(info.video
      ? {
          video: {
            codec: info.video.codec,
            width: info.video.width,
            height: info.video.height,
            fps: info.video.fps ?? null,
          },
        }
      : {}),
    ...(info.audio
      ? {
          audio: {
            codec: info.audio.codec,
            sampleRateHz: info.audio.sampleRateHz,
            channels: info.audio.channels,
          },
        }
      : {}),
    bitrateKbps: info.bitrateKbps ?? null,
  };
}
