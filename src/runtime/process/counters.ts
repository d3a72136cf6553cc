// Instance numbers per service, as docker compose numbers containers: web-1, web-2, … Numbers
// only grow and are never reused, even across daemon restarts, so an id in an old log line or
// alert always means one instance. Kept in run/counters.json, written atomically.

import fs from 'node:fs';
import path from 'node:path';

export class InstanceCounters {
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string, private readonly counts: Record<string, number>) {}

  static async load(file: string): Promise<InstanceCounters> {
    let counts: Record<string, number> = {};
    try {
      const parsed = JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object') counts = parsed as Record<string, number>;
    } catch {
      // missing or unreadable: start from the instances we know (see atLeast)
    }
    return new InstanceCounters(file, counts);
  }

  /** Makes sure numbers already in use (records, log files) are never handed out again. */
  atLeast(service: string, n: number): void {
    if ((this.counts[service] ?? 0) < n) this.counts[service] = n;
  }

  async next(service: string): Promise<number> {
    const n = (this.counts[service] ?? 0) + 1;
    this.counts[service] = n;
    await this.save();
    return n;
  }

  private save(): Promise<void> {
    const text = JSON.stringify(this.counts, null, 2) + '\n';
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
      await fs.promises.writeFile(tmp, text);
      await fs.promises.rename(tmp, this.file);
    });
    return this.writing;
  }
}

/** The number at the end of an instance id (web-12 -> 12), or undefined. */
export function instanceNumber(id: string): number | undefined {
  const m = /-(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** The service part of an instance id (the id without its trailing -<n>). */
export function serviceOfInstance(id: string): string {
  return id.replace(/-\d+$/, '');
}
