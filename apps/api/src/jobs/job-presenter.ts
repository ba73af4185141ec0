import type { Destination, JobView } from '@ezlive/domain';
import type { JobSecrets, JobStats } from '@ezlive/infra';
import type { IngestDto, JobDto, PlaybackDto } from './dto/job.dto';

/** Secrets are shown to the owner on create/get; lists only show a masked prefix. */
export interface SecretsDisclosure {
  reveal: boolean;
  secrets: JobSecrets | null;
}

const mask = (s: string): string => `${s.slice(0, 4)}…`;

/** Job view (projection) + secrets + configuration → the API's job resource. */
export class JobPresenter {
  constructor(private readonly playbackBaseUrl: string) {}

  present(view: JobView, disclosure: SecretsDisclosure, stats?: JobStats | null): JobDto {
    const { streamKey, passphrase } = this.secretsOf(view, disclosure);
    return {
      id: view.jobId,
      name: view.name,
      state: view.state,
      spec: view.spec,
      warnings: view.warnings,
      streamKey,
      streamKeyFingerprint: view.streamKeyFingerprint,
      ingest: this.ingest(view, streamKey, passphrase),
      playback: this.playback(view),
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      version: view.version,
      attempt: view.attempt,
      workerId: view.workerId,
      input: view.input,
      restarts: view.restarts,
      lastError: view.lastError,
      stopReason: view.stopReason,
      ...(stats === undefined ? {} : { stats }),
    };
  }

  private secretsOf(
    _view: JobView,
    d: SecretsDisclosure,
  ): { streamKey: string; passphrase: string } {
    // Secrets vanish only on delete; a missing entry means the job is being deleted.
    const s = d.secrets;
    if (!s) return { streamKey: '…', passphrase: '…' };
    return d.reveal
      ? { streamKey: s.streamKey, passphrase: s.srtPassphrase }
      : { streamKey: mask(s.streamKey), passphrase: '…' };
  }

  private ingest(view: JobView, streamKey: string, passphrase: string): IngestDto {
    const protocol = view.spec.input.protocol;
    const rtmpBase = view.ingest?.rtmpBaseUrl;
    const srtUrl = view.ingest?.srtUrl;
    const ready = protocol === 'rtmp' ? !!rtmpBase : !!srtUrl;
    return {
      status: ready ? 'ready' : 'pending',
      rtmp:
        protocol !== 'rtmp'
          ? null
          : rtmpBase
            ? `${rtmpBase.replace(/\/+$/, '')}/${streamKey}`
            : 'pending',
      srt: protocol !== 'srt' ? null : srtUrl ? { url: srtUrl, passphrase } : 'pending',
    };
  }

  /** Derived from the spec and job id only, so it never changes while the job lives. */
  private playback(view: JobView): PlaybackDto {
    const base = originOf(view.spec.output.destination, this.playbackBaseUrl);
    const formats = view.spec.output.formats;
    return {
      hls: formats.includes('hls') ? `${base}/${view.jobId}/master.m3u8` : null,
      dash: formats.includes('dash') ? `${base}/${view.jobId}/manifest.mpd` : null,
    };
  }
}

/** Where players read a destination: our /media for local, the origin or bucket otherwise. */
export function originOf(d: Destination, localBase: string): string {
  switch (d.type) {
    case 'local':
      return localBase;
    case 'http':
      return d.baseUrl.replace(/\/+$/, '');
    case 's3': {
      const host = d.endpoint
        ? d.endpoint.replace(/\/+$/, '')
        : `https://s3.${d.region ?? 'us-east-1'}.amazonaws.com`;
      const prefix = d.prefix ? `/${d.prefix.replace(/\/+$/, '')}` : '';
      return `${host}/${d.bucket}${prefix}`;
    }
    default: {
      const unreachable: never = d;
      return unreachable;
    }
  }
}
