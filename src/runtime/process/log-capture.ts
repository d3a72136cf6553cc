// Output capture of one instance: reads its stdout and stderr FIFOs, splits them into lines,
// timestamps them, appends them to `logs/<service>/<instance>.log` (rotated by size, keeping
// maxFiles older files as <instance>.log.1 … .N) and hands each line to live followers.

import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { LogLine } from '../../core/index.js';
import { openReader } from './fifo.js';
import { LineSplitter } from './line-splitter.js';
import { formatLogLine, type LogStream } from './log-format.js';

export interface LogCaptureOptions {
  service: string;
  instance: string;
  file: string;            // absolute path of the current log file
  maxBytes: number;
  maxFiles: number;
  logger?: Logger;
  onLine(line: LogLine): void;
}

interface Reader {
  socket: net.Socket;
  splitter: LineSplitter;
  ended: Promise<void>;
}

export class LogCapture {
  private readonly readers = new Map<LogStream, Reader>();
  private file: RotatingFileStream | undefined;
  private lastWrite: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: LogCaptureOptions) {}

  /**
   * Opens fresh readers on both FIFOs, dropping those of a previous process (a grandchild of
   * which may still hold the old writer open, so the old reader might never see its end).
   */
  attach(fifos: Record<LogStream, string>): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      this.dropReader(stream);
      this.readers.set(stream, this.openStream(stream, fifos[stream]));
    }
  }

  /** Resolves once both readers saw the end of their FIFO (every writer exited), or after timeoutMs. */
  async drained(timeoutMs: number): Promise<void> {
    const ends = [...this.readers.values()].map((r) => r.ended);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([Promise.all(ends), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once every line read so far is in the log file. */
  flushed(): Promise<void> {
    return this.lastWrite;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of ['stdout', 'stderr'] as const) this.dropReader(stream);
    await this.lastWrite;
    const file = this.file;
    this.file = undefined;
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
  }

  private openStream(stream: LogStream, fifo: string): Reader {
    const socket = openReader(fifo);
    const splitter = new LineSplitter();
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.record(stream, splitter.push(chunk)));
    socket.on('end', () => this.record(stream, splitter.flush()));
    socket.on('error', (err) => {
      this.opts.logger?.warn({ err, instance: this.opts.instance, stream }, 'log capture read failed');
      socket.destroy();
    });
    return { socket, splitter, ended };
  }

  private dropReader(stream: LogStream): void {
    const reader = this.readers.get(stream);
    if (!reader) return;
    this.readers.delete(stream);
    reader.socket.removeAllListeners('data');
    reader.socket.destroy();
    this.record(stream, reader.splitter.flush());
  }

  private record(stream: LogStream, lines: string[]): void {
    if (lines.length === 0) return;
    const time = Date.now();
    const { service, instance } = this.opts;
    const file = this.ensureFile();
    if (file) {
      // rotation is checked between writes, so writes are kept small against maxBytes
      const limit = Math.max(1, Math.min(64 * 1024, Math.floor(this.opts.maxBytes / 8)));
      let batch = '';
      for (const line of lines) {
        batch += formatLogLine(time, stream, line);
        if (batch.length >= limit) {
          this.write(file, batch);
          batch = '';
        }
      }
      if (batch) this.write(file, batch);
    }
    for (const line of lines) this.opts.onLine({ time, service, instance, stream, text: line });
  }

  private write(file: RotatingFileStream, text: string): void {
    this.lastWrite = new Promise<void>((resolve) => file.write(text, () => resolve()));
  }

  private ensureFile(): RotatingFileStream | undefined {
    if (this.file || this.closed) return this.file;
    const dir = path.dirname(this.opts.file);
    fs.mkdirSync(dir, { recursive: true });
    const file = createStream(path.basename(this.opts.file), {
      path: dir + path.sep,
      size: `${Math.max(1, Math.floor(this.opts.maxBytes))}B`,
      // classic logrotate naming: .log.1 is the newest rotated file, at most maxFiles of them
      rotate: Math.max(1, Math.floor(this.opts.maxFiles)),
    });
    file.on('error', (err) => {
      this.opts.logger?.warn({ err, file: this.opts.file }, 'log file write failed');
      // a rotating stream is closed after an error; the next line opens a new one
      if (this.file === file) this.file = undefined;
    });
    this.file = file;
    return file;
  }
}
