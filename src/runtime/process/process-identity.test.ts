import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isAlive, isSameProcess, parseProcStat, processStartTime } from './process-identity.js';

describe('process identity', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[5 - 3] = '4242';
    fields[22 - 3] = '987654';
    const line = `1234 (my (odd) name) ${fields.join(' ')}\n`;
    expect(parseProcStat(line)).toEqual({ pid: 1234, state: 'S', pgrp: 4242, startTime: '987654' });
  });

  it('knows this process and its start time', () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(isSameProcess(process.pid, start)).toBe(true);
    expect(isSameProcess(process.pid, String(Number(start) + 1))).toBe(false);
    expect(isSameProcess(process.pid, undefined)).toBe(false);
  });

  it('reports an exited process as not alive', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid!;
    const start = processStartTime(pid);
    expect(isAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isAlive(pid)).toBe(false);
    expect(isSameProcess(pid, start)).toBe(false);
  });
});
