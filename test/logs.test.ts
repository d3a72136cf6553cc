// Log capture: per-instance files under .tutti/logs, timestamped, rotated by size so a
// chatty service can never fill the disk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeService, Project, waitFor } from './helpers/tutti.js';

describe('log capture', () => {
  const p = new Project(`
name: chatty
services:
  talker:
    command: ${nodeService('chatty.mjs')}
    env: { LINES: "20000" }
    logs: { max_size: 64KB, max_files: 2 }
`);
  afterAll(() => p.cleanup());

  it('rotates by size and keeps at most max_files rotated files', async () => {
    expect((await p.tutti('up')).code).toBe(0);
    const dir = path.join(p.dir, '.tutti', 'logs', 'talker');
    await waitFor(async () => (await p.tutti('logs', '--tail', '1')).stdout.includes('chatty done'), { message: 'all lines written' });
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3); // current + 2 rotated
    // a file may pass max_size by one write batch (at most an eighth of max_size)
    for (const f of files) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(64 * 1024 * 1.125);
    const current = files.find((f) => f.endsWith('.log') && !/\.\d+\.log$|\.log\.\d+$/.test(f)) ?? files[0];
    const line = readFileSync(path.join(dir, current), 'utf8').split('\n').find((l) => l.includes('chatty done'))!;
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stdout chatty done$/);
  });

  it('serves the newest lines in order across rotated files', async () => {
    const r = await p.tutti('logs', '--tail', '3');
    const texts = r.stdout.trim().split('\n').map((l) => l.replace(/^talker-\d+\s+\| /, ''));
    expect(texts[2]).toBe('chatty done');
    expect(texts[1]).toMatch(/^line 20000 /);
    expect(texts[0]).toMatch(/^line 19999 /);
  });
});
