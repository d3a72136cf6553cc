// Log queries end to end: `tutti logs` with --level, --grep (text and /regex/), --until and
// --json over a service logging pino-style JSON and plain lines into small rotated files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeService, Project, waitFor } from './helpers/tutti.js';

const COUNT = 200;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const seqs = (keep: (i: number) => boolean) => Array.from({ length: COUNT }, (_, i) => i).filter(keep);
const levelOf = (i: number) => LEVELS[i % 6];
const messageOf = (i: number) => (i % 10 === 0 ? `checkout ${i}` : `request ${i} served`);

/** The text after the `levels-1 | ` prefix of each human output line. */
const shown = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => l.replace(/^levels-\d+\s+\| /, ''));

describe('log queries', () => {
  const p = new Project(`
name: levels
services:
  levels:
    command: ${nodeService('levels.mjs')}
    env: { COUNT: "${COUNT}" }
    logs: { max_size: 16KB, max_files: 3 }
`);
  const dir = path.join(p.dir, '.tutti', 'logs', 'levels');

  beforeAll(async () => {
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    await waitFor(async () => (await p.tutti('logs', '--grep', 'levels done')).stdout.includes('levels done'), {
      timeout: 30_000,
      message: 'every line to be written',
    });
  });
  afterAll(() => p.cleanup());

  it('rotated the files, and kept every line', () => {
    const files = readdirSync(dir);
    expect(files.filter((f) => /\.log\.\d+$/.test(f)).length).toBeGreaterThanOrEqual(1);
    const lines = files.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(2 * COUNT + 1);
  });

  it('--level warn shows only warn, error and fatal lines, level before message', async () => {
    const r = await p.tutti('logs', '--level', 'warn');
    expect(r.code, r.stderr).toBe(0);
    const expected = seqs((i) => i % 6 >= 3).map((i) => `${levelOf(i).toUpperCase().padEnd(5)} ${messageOf(i)} {"seq":${i}}`);
    expect(shown(r.stdout)).toEqual(expected);
  });

  it('--grep finds text in order across the rotation boundary', async () => {
    const files = readdirSync(dir).filter((f) => readFileSync(path.join(dir, f), 'utf8').includes('checkout'));
    expect(files.length).toBeGreaterThanOrEqual(2); // the matches are on both sides of a rotation
    const r = await p.tutti('logs', '--grep', 'checkout', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message)).toEqual(seqs((i) => i % 10 === 0).map((i) => `checkout ${i}`));
    const times = lines.map((l) => l.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('--grep /regex/ matches the parsed message of JSON lines and the text of plain ones', async () => {
    const anchored = await p.tutti('logs', '--grep', '/^checkout 1\\d0$/');
    expect(anchored.code, anchored.stderr).toBe(0);
    expect(shown(anchored.stdout).map((l) => l.replace(/ \{.*\}$/, ''))).toEqual(
      seqs((i) => i >= 100 && i % 10 === 0).map((i) => `${levelOf(i).toUpperCase().padEnd(5)} checkout ${i}`),
    );
    const plain = await p.tutti('logs', '--grep', '/^plain line 19\\d /');
    expect(shown(plain.stdout)).toEqual(seqs((i) => i >= 190).map((i) => `plain line ${i} ${'.'.repeat(30)}`));
  });

  it('--json carries level and message', async () => {
    const r = await p.tutti('logs', '--level', 'error', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.message])).toEqual(seqs((i) => i % 6 >= 4).map((i) => [levelOf(i), messageOf(i)]));
    expect(lines[0]).toMatchObject({ service: 'levels', instance: 'levels-1', stream: 'stdout', text: expect.stringMatching(/^\{"level":50,/) });
  });

  it('--until leaves out newer lines', async () => {
    expect((await p.tutti('logs', '--until', '1h')).stdout).toBe('');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(shown((await p.tutti('logs', '--until', future, '--grep', 'levels done')).stdout)).toEqual(['INFO  levels done']);
  });

  it('refuses a bad regex with a clear message', async () => {
    const r = await p.tutti('logs', '--grep', '/a(/');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/a(/ is not a valid regular expression: unterminated group');
    expect(r.stderr).toContain('hint:');
    expect(r.stdout).toBe('');
  });
});
