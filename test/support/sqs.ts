import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports';

export interface SqsServer {
  endpoint: string;
  region: string;
  stop(): Promise<void>;
  /** SIGKILL, for restart tests. */
  kill(): void;
}

/**
 * A real SQS-protocol server (fauxqs, also S3) in a child process on a free loopback port.
 * fauxqs is ESM-only, so it runs as its own process rather than inside Jest. The IPC channel
 * ties it to this process: if a test run or benchmark dies without stopping it, the channel
 * closes and the server exits (scripts/lib/sqs-server.mjs) instead of holding its port.
 */
export async function startSqsServer(port?: number): Promise<SqsServer> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [join(__dirname, '../../scripts/lib/sqs-server.mjs')], {
    env: {
      ...process.env,
      FAUXQS_PORT: String(p),
      FAUXQS_HOST: '127.0.0.1',
      FAUXQS_LOGGER: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.channel?.unref(); // the channel alone never keeps this process alive
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const endpoint = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`${endpoint}/`);
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`fauxqs did not start on ${endpoint}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const exited = new Promise<void>((r) =>
    child.exitCode !== null ? r() : child.once('exit', () => r()),
  );
  return {
    endpoint,
    region: 'us-east-1',
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
