// Buffered output: renderers append strings; the writer hands them to the stream in ~64 KB
// chunks (and per frame with -l). A closed pipe (EPIPE: `carpdump ... | head`) is remembered, so
// the run can stop quietly instead of printing a stack trace.

export interface OutputStream {
  write(chunk: string): unknown;
  once?(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
  on?(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
}

const FLUSH_AT = 64 * 1024;

export class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  /** True once the reader went away (EPIPE); further output is dropped. */
  closed = false;
  private onClose: (() => void) | undefined;

  constructor(private readonly stream: OutputStream, private readonly lineBuffered = false) {
    stream.on?.('error', (err) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        this.closed = true;
        this.parts = [];
        this.size = 0;
        this.onClose?.();
      } else {
        throw err;
      }
    });
  }

  /** Called once when the output is closed by the reader. */
  whenClosed(fn: () => void): void {
    this.onClose = fn;
  }

  write(s: string): void {
    if (this.closed || s.length === 0) return;
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  /** End of one frame's output: flushes with -l. */
  endFrame(): void {
    if (this.lineBuffered) this.flush();
  }

  flush(): void {
    if (this.closed || this.size === 0) return;
    const chunk = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    try {
      this.stream.write(chunk);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') { this.closed = true; this.onClose?.(); return; }
      throw err;
    }
  }
}

/** A stream that keeps what is written (tests). */
export class MemoryStream implements OutputStream {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
