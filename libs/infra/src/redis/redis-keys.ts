/**
 * Key layout (docs/architecture.md#key-layout). Every key of a job's stream and of its
 * partition share one `{pN}` hash tag, so the append script touches a single Redis
 * Cluster slot. Read models live under a generation tag `{gN}` so a rebuild can fill a
 * fresh generation and switch readers atomically.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    readonly partitions: number,
  ) {
    if (!/^[A-Za-z0-9:_-]{1,64}$/.test(prefix))
      throw new Error(`invalid Redis key prefix '${prefix}'`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
      throw new Error(`partitions must be an integer in 1..1024, got ${partitions}`);
    }
  }

  /** FNV-1a: stable across processes and languages, cheap, well spread for short ids. */
  partitionOf(streamId: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < streamId.length; i++) {
      h ^= streamId.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % this.partitions;
  }

  stream(streamId: string): string {
    return `${this.prefix}:{p${this.partitionOf(streamId)}}:s:${streamId}`;
  }

  partition(n: number): string {
    return `${this.prefix}:{p${n}}:all`;
  }

  partitionOfStream(streamId: string): string {
    return this.partition(this.partitionOf(streamId));
  }

  allPartitions(): string[] {
    return Array.from({ length: this.partitions }, (_, i) => this.partition(i));
  }

  /** Pointer to the generation readers use. */
  get currentGeneration(): string {
    return `${this.prefix}:rm:current`;
  }

  /** Generation being rebuilt; live projectors write to it too while it exists. */
  get nextGeneration(): string {
    return `${this.prefix}:rm:next`;
  }

  get generationSequence(): string {
    return `${this.prefix}:rm:seq`;
  }

  readModel(generation: number, projection: string): string {
    return `${this.prefix}:rm:{g${generation}}:${projection}`;
  }

  doc(generation: number, projection: string, docId: string): string {
    return `${this.readModel(generation, projection)}:doc:${docId}`;
  }

  index(generation: number, projection: string, index: string): string {
    return `${this.readModel(generation, projection)}:idx:${index}`;
  }

  consumerGroup(projection: string): string {
    return `proj:${projection}`;
  }

  secrets(jobId: string): string {
    return `${this.prefix}:secret:job:${jobId}`;
  }
}
