import { createSocket } from 'node:dgram';

export class SrtPortsExhaustedError extends Error {
  readonly code = 'SRT_PORTS_EXHAUSTED';
}

/**
 * Per-job SRT listener ports from a configured UDP range. Allocation is in memory, so a
 * restarted worker starts with every port free (the orphan reaper has killed any FFmpeg that
 * held one), and each candidate is test-bound first, so a port another program holds is
 * skipped rather than handed to FFmpeg.
 */
export class SrtPortPool {
  private readonly used = new Map<number, string>();

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  async allocate(jobId: string): Promise<number> {
    for (const [port, owner] of this.used) if (owner === jobId) return port;
    for (let port = this.min; port <= this.max; port++) {
      if (this.used.has(port)) continue;
      this.used.set(port, jobId); // reserve before the async probe: no double allocation
      if (await udpFree(port)) return port;
      this.used.delete(port);
    }
    throw new SrtPortsExhaustedError(`no free SRT port in ${this.min}-${this.max}`);
  }

  release(jobId: string): void {
    for (const [port, owner] of this.used) if (owner === jobId) this.used.delete(port);
  }

  get inUse(): number {
    return this.used.size;
  }
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)));
  });
}
