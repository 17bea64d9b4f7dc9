/** Where a command's output goes: collected in memory, flushed by main (tests read it directly). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export class BufferIo implements Io {
  stdout = '';
  stderr = '';
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}

/** Writes straight through to the process streams (the CLI entry point only). */
export class StreamIo implements Io {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stdout: NodeJS.WriteStream, private readonly stderr: NodeJS.WriteStream) {}
  out(text: string): void {
    this.buf.push(text);
    this.size += text.length;
    if (this.size > 1 << 16) this.flush();
  }
  err(text: string): void {
    this.flush();
    this.stderr.write(text);
  }
  flush(): void {
    if (this.buf.length) this.stdout.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
}
