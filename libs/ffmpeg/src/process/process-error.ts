export type ProcessErrorCode =
  | 'PROCESS_ALREADY_STARTED'
  | 'PROCESS_SPAWN_FAILED'
  | 'RESTART_BUDGET_EXHAUSTED'
  | 'PROBE_FAILED'
  | 'PROBE_TIMEOUT'
  | 'PROBE_NO_STREAMS';

/** Supervision and probing failures, with a stable `code` and the FFmpeg lines that explain them. */
export class ProcessError extends Error {
  override readonly name = 'ProcessError';
  constructor(
    readonly code: ProcessErrorCode,
    message: string,
    /** Last stderr lines of the process concerned, oldest first. */
    readonly stderrTail: readonly string[] = [],
  ) {
    super(message);
  }
}
