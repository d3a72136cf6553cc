// Turns a byte stream into lines: keeps a partial last line until its newline arrives, decodes
// UTF-8 without splitting a character across chunks, and cuts a line that grows past the cap
// so a service writing without newlines cannot make the daemon buffer without bound.

import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 16 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxChars = MAX_LINE_CHARS) {}

  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const lines = parts.map(stripCarriageReturn);
    while (this.partial.length > this.maxChars) {
      lines.push(this.partial.slice(0, this.maxChars));
      this.partial = this.partial.slice(this.maxChars);
    }
    return lines.flatMap((line) => this.cap(line));
  }

  /** The remainder when the stream ends: a last line without a newline is still a line. */
  flush(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : this.cap(stripCarriageReturn(rest));
  }

  private cap(line: string): string[] {
    if (line.length <= this.maxChars) return [line];
    const out: string[] = [];
    for (let i = 0; i < line.length; i += this.maxChars) out.push(line.slice(i, i + this.maxChars));
    return out;
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
