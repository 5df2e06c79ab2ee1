// Errors that end a run: container problems (files, interfaces, usage). Per-packet problems are
// never thrown past the frame decoder; they become annotations (see decode/frame.ts).

export const EXIT = { ok: 0, input: 1, usage: 2, failOn: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with a one-line, user-facing message and the exit status it maps to. */
export class CarpdumpError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.input) {
    super(message);
    this.name = 'CarpdumpError';
  }
}

/** A capture file that ends in the middle of a record or has a bad structure. */
export class CaptureFormatError extends CarpdumpError {
  constructor(message: string, readonly byteOffset: number) {
    super(message, EXIT.input);
    this.name = 'CaptureFormatError';
  }
}

export class UsageError extends CarpdumpError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
