import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.js';
import { listLogSources, readLogHistory } from './log-reader.js';

let dir: string;
const t0 = Date.UTC(2024, 0, 1, 0, 0, 0);

function write(file: string, lines: Array<[number, string]>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.map(([dt, text]) => formatLogLine(t0 + dt, 'stdout', text)).join(''));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-logs-'));
  // web-1 rotated twice: .log.2 is the oldest
  write(path.join(dir, 'web', 'web-1.log.2'), [[0, 'a0'], [10, 'a1']]);
  write(path.join(dir, 'web', 'web-1.log.1'), [[20, 'a2'], [30, 'a3']]);
  write(path.join(dir, 'web', 'web-1.log'), [[40, 'a4']]);
  write(path.join(dir, 'web', 'web-2.log'), [[5, 'b0'], [35, 'b1']]);
  write(path.join(dir, 'db', 'db-1.log'), [[25, 'c0']]);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

describe('log reader', () => {
  it('merges every instance in time order across rotated files', async () => {
    expect(texts(await readLogHistory(dir, {}))).toEqual(['a0', 'b0', 'a1', 'a2', 'c0', 'a3', 'b1', 'a4']);
  });

  it('keeps the last N lines of the merged stream', async () => {
    expect(texts(await readLogHistory(dir, { services: ['web'], tail: 3 }))).toEqual(['a3', 'b1', 'a4']);
  });

  it('filters by time and by instance', async () => {
    expect(texts(await readLogHistory(dir, { instances: ['web-1'], sinceMs: t0 + 20 }))).toEqual(['a2', 'a3', 'a4']);
  });

  it('names each line after its service and instance', async () => {
    const [line] = await readLogHistory(dir, { services: ['db'] });
    expect(line).toMatchObject({ service: 'db', instance: 'db-1', stream: 'stdout', time: t0 + 25 });
  });

  it('lists instances in numeric order', async () => {
    write(path.join(dir, 'web', 'web-10.log'), [[1, 'x']]);
    const sources = await listLogSources(dir, { services: ['web'] });
    expect(sources.map((s) => s.instance)).toEqual(['web-1', 'web-2', 'web-10']);
  });
});
