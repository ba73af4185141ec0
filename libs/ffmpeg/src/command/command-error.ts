export type CommandErrorCode =
  | 'NO_RENDITIONS'
  | 'SRT_PASSPHRASE_LENGTH'
  | 'SOURCE_FPS_UNKNOWN'
  | 'UNSUPPORTED_PROFILE'
  | 'INVALID_IO';

/** The spec or io cannot be turned into an FFmpeg command; stable `code` for callers. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
  }
}
