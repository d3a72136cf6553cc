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

describe('log reader filters', () => {
  it('finds the lines a grep matches on both sides of rotation boundaries, in order', async () => {
    expect(texts(await readLogHistory(dir, { grep: '/^a[1-4]$/' }))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(texts(await readLogHistory(dir, { grep: 'a' }))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('counts the tail over matching lines only, reading older files as far as it takes', async () => {
    expect(texts(await readLogHistory(dir, { grep: '/^a[01]$/', tail: 1 }))).toEqual(['a1']);
    expect(texts(await readLogHistory(dir, { grep: 'b', tail: 5 }))).toEqual(['b0', 'b1']);
  });

  it('keeps lines up to until, skipping files that start after it', async () => {
    expect(texts(await readLogHistory(dir, { untilMs: t0 + 20 }))).toEqual(['a0', 'b0', 'a1', 'a2']);
    expect(texts(await readLogHistory(dir, { instances: ['web-1'], sinceMs: t0 + 10, untilMs: t0 + 30 }))).toEqual(['a1', 'a2', 'a3']);
    expect(texts(await readLogHistory(dir, { sinceMs: t0 + 100 }))).toEqual([]);
  });

  it('parses JSON lines, filters them by level and carries level and message', async () => {
    write(path.join(dir, 'api', 'api-1.log.1'), [
      [0, '{"level":30,"msg":"started"}'],
      [1, 'plain line'],
      [2, '{"level":50,"msg":"payment failed","orderId":7}'],
    ]);
    write(path.join(dir, 'api', 'api-1.log'), [
      [3, '{"level":40,"msg":"slow"}'],
      [4, '{"level":"error","message":"winston says no"}'],
      [5, '{"level":60,"msg":"cut'],
    ]);
    const warn = await readLogHistory(dir, { services: ['api'], level: 'warn' });
    expect(warn.map((l) => [l.level, l.message])).toEqual([['error', 'payment failed'], ['warn', 'slow'], ['error', 'winston says no']]);
    expect(warn[0]).toMatchObject({ service: 'api', instance: 'api-1', time: t0 + 2, text: '{"level":50,"msg":"payment failed","orderId":7}' });

    const all = await readLogHistory(dir, { services: ['api'] });
    expect(all.map((l) => l.level ?? '-')).toEqual(['info', '-', 'error', 'warn', 'error', '-']);
    expect(all[1]).not.toHaveProperty('level');
    expect(all[1]).not.toHaveProperty('message');

    expect(texts(await readLogHistory(dir, { services: ['api'], grep: '/^slow$/' }))).toEqual(['{"level":40,"msg":"slow"}']);
  });

  it('skips stored lines it cannot read', async () => {
    fs.writeFileSync(path.join(dir, 'db', 'db-1.log'), `garbage\n${formatLogLine(t0, 'stderr', 'ok')}not-a-time stdout x\n\n`);
    const lines = await readLogHistory(dir, { services: ['db'] });
    expect(lines).toEqual([{ time: t0, service: 'db', instance: 'db-1', stream: 'stderr', text: 'ok' }]);
  });

  it('finds text the same way as a regex over rotated files, with time window and tail', async () => {
    // a current file without its last newline and an empty rotated one, as a crash may leave them
    fs.writeFileSync(path.join(dir, 'web', 'web-1.log'), formatLogLine(t0 + 40, 'stdout', 'a4').slice(0, -1));
    fs.writeFileSync(path.join(dir, 'web', 'web-1.log.3'), '');
    const queries = [{}, { sinceMs: t0 + 10 }, { untilMs: t0 + 20 }, { sinceMs: t0 + 25, untilMs: t0 + 40 }, { tail: 2 }, { sinceMs: t0 + 5, tail: 3 }];
    for (const query of queries) {
      const byText = await readLogHistory(dir, { ...query, grep: 'a' });
      expect(byText, JSON.stringify(query)).toEqual(await readLogHistory(dir, { ...query, grep: '/a/' }));
      expect(byText.length, JSON.stringify(query)).toBeGreaterThan(0);
    }
    expect(texts(await readLogHistory(dir, { grep: 'a', sinceMs: t0 + 25 }))).toEqual(['a3', 'a4']);
  });

  it('refuses a bad regex before reading', async () => {
    await expect(readLogHistory(dir, { grep: '/(/' })).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST' });
  });
});
