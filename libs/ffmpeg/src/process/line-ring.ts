/** The last `capacity` lines of a stream, for error reports; memory stays bounded under a flood. */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = '';
  private dropped = 0;

  constructor(
    readonly capacity = 50,
    /** Which complete lines are kept (all by default); every line is still returned by push. */
    private readonly keep: (line: string) => boolean = () => true,
  ) {}

  /** Feed a raw chunk; returns the complete lines it finished. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    // A single unterminated line may not grow without bound either.
    if (this.partial.length > 4096) {
      parts.push(this.partial.slice(0, 4096));
      this.partial = '';
    }
    for (const line of parts) {
      if (line.length === 0 || !this.keep(line)) continue;
      this.lines.push(line);
      if (this.lines.length > this.capacity) {
        this.lines.shift();
        this.dropped += 1;
      }
    }
    return parts.filter((l) => l.length > 0);
  }

  /** Lines kept, oldest first (plus an unterminated last line, if any). */
  tail(): string[] {
    const all = this.partial ? [...this.lines, this.partial] : [...this.lines];
    return all.slice(-this.capacity);
  }

  /** How many lines fell out of the ring. */
  get droppedCount(): number {
    return this.dropped;
  }
}
