import { constants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { estimateJobCost, observedJobLoad, type Destination, type JobSpec } from '@ezlive/domain';
import type { JobSecretsStore, JobStatsStore } from '@ezlive/infra';
import { RtmpIngestServer, type Publication } from '../ingest/rtmp-ingest.server';
import { SrtPortPool } from '../ingest/srt-port-pool';
import { sinkFor, type S3Credentials } from '../output/origin-sink';
import type { JobReporter, ReportOutcome } from './job-reporter';
import { JobRunner } from './job-runner';

export interface JobRuntimeOptions {
  workerId: string;
  publicHost: string;
  rtmpPort: number;
  srtPortRange: [number, number];
  mediaDir: string;
  /** Staging directory for jobs whose destination is remote (S3, HTTP). */
  stagingDir: string;
  s3: S3Credentials;
  runDir: string;
  ffmpegPath: string;
  ffprobePath: string;
  stopTimeoutMs: number;
  restartMaxAttempts: number;
  statsIntervalMs: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
}

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Everything this worker runs: one {@link JobRunner} per assignment, the RTMP ingest port
 * whose authorizer only knows the stream keys of those assignments, and the stats loop.
 * Commands arrive from the work queue; the runtime turns them into reports.
 */
export class JobRuntime {
  readonly ingest: RtmpIngestServer;
  private readonly runners = new Map<string, JobRunner>();
  /** Stream key → job id, only for jobs running here. */
  private readonly keys = new Map<string, string>();
  private readonly specs = new Map<string, JobSpec>();
  private statsTimer?: NodeJS.Timeout;
  private rtmpPort = 0;
  private readonly srtPorts: SrtPortPool;

  constructor(
    private readonly o: JobRuntimeOptions,
    private readonly reporter: JobReporter,
    private readonly secrets: JobSecretsStore,
    private readonly stats: JobStatsStore,
  ) {
    this.srtPorts = new SrtPortPool(o.srtPortRange[0], o.srtPortRange[1]);
    this.ingest = new RtmpIngestServer((key) => this.keys.get(key) ?? null);
    this.ingest.on('published', (p) => this.onPublished(p));
    this.ingest.on('unpublished', (p, reason) => this.onUnpublished(p, reason));
    this.ingest.on('refused', (r) => o.log('warn', 'publish refused', r));
  }

  async start(): Promise<number> {
    this.rtmpPort = await this.ingest.listen(this.o.rtmpPort);
    this.statsTimer = setInterval(() => void this.writeStats(), this.o.statsIntervalMs);
    this.statsTimer.unref();
    return this.rtmpPort;
  }

  /** Assignments held, for the heartbeat. */
  assignments(): Array<{ jobId: string; attempt: number }> {
    return [...this.runners.values()].map((r) => ({ jobId: r.jobId, attempt: r.attempt }));
  }

  /**
   * Cost units of the jobs held, for the heartbeat: per job its estimate, or its FFmpeg's
   * CPU measured at the last stats sample when higher (`observedJobLoad`).
   */
  load(): number {
    let units = 0;
    for (const [jobId, spec] of this.specs)
      units += observedJobLoad(
        estimateJobCost(spec),
        this.runners.get(jobId)?.measuredCpuPercent ?? null,
      );
    return units;
  }

  runner(jobId: string): JobRunner | undefined {
    return this.runners.get(jobId);
  }

  /** `job.start`: take the assignment, open ingest, report `JobRunning`. Idempotent. */
  async startJob(
    jobId: string,
    attempt: number,
  ): Promise<'started' | 'already-running' | 'fenced' | 'failed'> {
    const current = this.runners.get(jobId);
    if (current?.attempt === attempt) return 'already-running';
    if (current) await this.release(jobId); // an older attempt of ours: replace it
    const state = await this.reporter.load(jobId);
    if (
      state.status !== 'assigned' ||
      state.attempt !== attempt ||
      state.workerId !== this.o.workerId
    )
      return 'fenced';
    const secrets = await this.secrets.get(jobId);
    if (!secrets) return 'fenced';
    // Fail before accepting a publisher when the output cannot be written at all (a
    // read-only or missing volume): a clear reason now, not a restart loop later.
    const outputDir = this.outputDir(jobId, state.spec);
    // Only the root is checked: nothing of the job is written before media arrives.
    try {
      await mkdir(dirname(outputDir), { recursive: true });
      await access(dirname(outputDir), constants.W_OK);
    } catch (err) {
      await this.reporter.report(jobId, {
        type: 'ReportFailed',
        data: {
          workerId: this.o.workerId,
          attempt,
          reason: `output directory is not writable: ${(err as Error).message}`,
          detail: [],
        },
      });
      return 'failed';
    }
    const srt = state.spec.input.protocol === 'srt';
    const srtPort = srt ? await this.srtPorts.allocate(jobId) : 0;
    const runner = new JobRunner({
      input: srt
        ? { kind: 'srt', port: srtPort, passphrase: secrets.srtPassphrase }
        : { kind: 'rtmp' },
      reconnectWindowSec: state.spec.input.reconnectWindowSec,
      jobId,
      attempt,
      spec: state.spec,
      outputDir,
      sink: sinkFor(state.spec.output.destination, jobId, this.o.s3),
      runDir: this.o.runDir,
      ffmpegPath: this.o.ffmpegPath,
      ffprobePath: this.o.ffprobePath,
      stopTimeoutMs: this.o.stopTimeoutMs,
      restartMaxAttempts: this.o.restartMaxAttempts,
      reporter: this.reporter,
      onTerminal: (id) => void this.release(id),
      log: this.o.log,
    });
    this.runners.set(jobId, runner);
    this.specs.set(jobId, state.spec);
    if (!srt) this.keys.set(secrets.streamKey, jobId);
    const ingest = srt
      ? { srtUrl: `srt://${this.o.publicHost}:${srtPort}` }
      : { rtmpBaseUrl: `rtmp://${this.o.publicHost}:${this.rtmpPort}/live` };
    let outcome: ReportOutcome;
    try {
      outcome = await this.reporter.report(jobId, {
        type: 'ReportRunning',
        data: { workerId: this.o.workerId, attempt, ingest },
      });
    } catch (err) {
      // Not reported means not started: undo, so BullMQ's retry starts it afresh. A runner
      // left in place would turn that retry into 'already-running', JobRunning never said.
      await this.release(jobId);
      throw err;
    }
    if (outcome === 'fenced') {
      await this.release(jobId);
      return 'fenced';
    }
    await runner.listen();
    this.o.log('info', 'job running, waiting for the publisher', { jobId, attempt });
    return 'started';
  }

  /** `job.stop`: stop FFmpeg and the publisher, then confirm with `JobStopped`. */
  async stopJob(jobId: string, attempt: number, reason: string): Promise<void> {
    const runner = this.runners.get(jobId);
    if (runner && runner.attempt === attempt) await this.release(jobId, true);
    await this.reporter.report(jobId, {
      type: 'ReportStopped',
      data: { workerId: this.o.workerId, attempt, reason },
    });
  }

  /** `job.cleanup`: remove a deleted job's output, here and at a remote origin. */
  async cleanupJob(jobId: string, destination: Destination): Promise<void> {
    if (!JOB_ID.test(jobId)) throw new Error(`refusing to clean up '${jobId}': not a job id`);
    await this.release(jobId);
    await rm(join(this.abs(this.o.mediaDir), jobId), { recursive: true, force: true });
    await rm(join(this.abs(this.o.stagingDir), jobId), { recursive: true, force: true });
    const sink = sinkFor(destination, jobId, this.o.s3);
    try {
      await sink?.deleteAll(); // a failure throws, so BullMQ retries the cleanup
    } finally {
      sink?.close();
    }
  }

  /** Stops everything this worker runs, without reporting (drain or lost membership). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.runners.keys()].map((id) => this.release(id)));
  }

  /** Stops jobs whose current assignment is no longer ours (after a lost heartbeat). */
  async releaseFenced(
    current: (jobId: string) => Promise<{ attempt: number; workerId: string | null } | null>,
  ): Promise<string[]> {
    const dropped: string[] = [];
    for (const r of [...this.runners.values()]) {
      const now = await current(r.jobId);
      if (!now || now.attempt !== r.attempt || now.workerId !== this.o.workerId) {
        await this.release(r.jobId);
        dropped.push(r.jobId);
      }
    }
    return dropped;
  }

  async close(): Promise<void> {
    clearInterval(this.statsTimer);
    await this.releaseAll();
    await this.ingest.close();
  }

  /** `ended`: the job stopped (its manifests say so), rather than moving or draining. */
  private async release(jobId: string, ended = false): Promise<void> {
    const runner = this.runners.get(jobId);
    const spec = this.specs.get(jobId);
    this.runners.delete(jobId);
    this.specs.delete(jobId);
    for (const [key, id] of this.keys) if (id === jobId) this.keys.delete(key);
    this.ingest.kick(jobId, 'job released');
    await runner?.stop(ended);
    this.srtPorts.release(jobId); // after FFmpeg has exited and let go of the port
    // Remote destinations keep nothing locally once their files are published.
    if (spec && spec.output.destination.type !== 'local')
      await rm(this.outputDir(jobId, spec), { recursive: true, force: true });
  }

  private onPublished(p: Publication): void {
    const runner = this.runners.get(p.jobId);
    this.o.log('info', 'publisher connected', { jobId: p.jobId, remote: p.remoteAddress });
    void runner
      ?.onPublished(p)
      .catch((err: Error) =>
        this.o.log('error', 'could not start the transcoder', { jobId: p.jobId, err: err.message }),
      );
  }

  private onUnpublished(p: Publication, reason: string): void {
    this.runners.get(p.jobId)?.onUnpublished(reason);
  }

  /** SRT ports held (for tests and metrics). */
  get srtPortsInUse(): number {
    return this.srtPorts.inUse;
  }

  private async writeStats(): Promise<void> {
    await Promise.all(
      [...this.runners.values()].map(async (r) => {
        try {
          await this.stats.write(r.jobId, await r.stats());
        } catch {
          // Stats are best effort; the next sample replaces this one.
        }
      }),
    );
  }

  private outputDir(jobId: string, spec: JobSpec): string {
    const local = spec.output.destination.type === 'local';
    return join(this.abs(local ? this.o.mediaDir : this.o.stagingDir), jobId);
  }

  private abs(dir: string): string {
    return isAbsolute(dir) ? dir : resolve(dir);
  }
}
