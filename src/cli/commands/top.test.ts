import { describe, expect, it } from 'vitest';
import { latency, renderTop, type TopView } from './top.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const none = { cpuPercent: null, memoryBytes: null, requestsPerSecond: null, p99Seconds: null, errorRatio: null };
const view: TopView = {
  stack: 'shop',
  time: Date.UTC(2026, 0, 31, 12, 0, 0),
  windowMs: 30_000,
  health: 0.5,
  services: [
    {
      service: 'orders', ready: 1, desired: 2, cpuPercent: 12.34, memoryBytes: 50 * 1024 * 1024, requestsPerSecond: 11, p99Seconds: 0.0123, errorRatio: 1 / 11, restarts: 3,
      instances: [
        { service: 'orders', instance: 'orders-1', state: 'running', ready: true, cpuPercent: 12.34, memoryBytes: 50 * 1024 * 1024, requestsPerSecond: 11, p99Seconds: 0.0123, errorRatio: 1 / 11, restarts: 0 },
        { service: 'orders', instance: 'orders-2', state: 'backoff', ready: false, ...none, requestsPerSecond: 0, restarts: 3 },
      ],
    },
    { service: 'db', ready: 1, desired: 1, ...none, memoryBytes: 2048, restarts: 0, instances: [] },
  ],
};

describe('renderTop', () => {
  it('prints a header and a row per service with its instances indented under it', () => {
    const lines = plain(renderTop(view)).split('\n');
    expect(lines[0]).toMatch(/^shop · stack health 50% · 1\/2 services ready · over the last 30s · /);
    expect(lines[1].split(/\s{2,}/)).toEqual(['SERVICE/INSTANCE', 'READY', 'STATE', 'CPU', 'MEM', 'REQ/S', 'P99', 'ERRORS', 'RESTARTS']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['orders', '1/2', '12.3%', '50.0MiB', '11.0', '12ms', '9.1%', '3']);
    expect(lines[3].split(/\s{2,}/)).toEqual(['', 'orders-1', 'yes', 'running', '12.3%', '50.0MiB', '11.0', '12ms', '9.1%', '0']);
    expect(lines[4].split(/\s{2,}/)).toEqual(['', 'orders-2', 'no', 'backoff', '-', '-', '0.0', '-', '-', '3']);
    expect(lines[5].split(/\s{2,}/)).toEqual(['db', '1/1', '-', '2KiB', '-', '-', '-', '0']);
    expect(lines).toHaveLength(6);
  });

  it('aligns the columns', () => {
    const [header, ...rows] = plain(renderTop(view)).split('\n').slice(1);
    const at = header.indexOf('RESTARTS');
    for (const row of rows) expect(row.length - row.trimEnd().split(' ').at(-1)!.length).toBe(at);
  });
});

describe('latency', () => {
  it.each([
    [0.0004, '400µs'], [0.0012, '1.2ms'], [0.0123, '12ms'], [0.25, '250ms'], [1.5, '1.50s'],
  ])('%f s → %s', (s, text) => expect(latency(s)).toBe(text));
});
