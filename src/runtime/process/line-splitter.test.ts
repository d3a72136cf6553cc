import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';
import { formatLogLine, parseLogLine } from './log-format.js';

describe('line splitter', () => {
  it('keeps a partial line until its newline arrives', () => {
    const s = new LineSplitter();
    expect(s.push('one\ntw')).toEqual(['one']);
    expect(s.push('o\r\nthree')).toEqual(['two']);
    expect(s.flush()).toEqual(['three']);
    expect(s.flush()).toEqual([]);
  });

  it('does not split a multi-byte character across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('héllo\n');
    expect(s.push(bytes.subarray(0, 2))).toEqual([]);
    expect(s.push(bytes.subarray(2))).toEqual(['héllo']);
  });

  it('cuts lines longer than the cap', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij')).toEqual(['abcd', 'efgh']);
    expect(s.push('\n')).toEqual(['ij']);
    expect(s.push('123456789\n')).toEqual(['1234', '5678', '9']);
  });
});

describe('log line format', () => {
  it('round-trips time, stream and text with spaces', () => {
    const time = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const line = formatLogLine(time, 'stderr', 'boom  at  x');
    expect(line).toBe('2024-01-02T03:04:05.678Z stderr boom  at  x\n');
    expect(parseLogLine(line.trimEnd())).toEqual({ time, stream: 'stderr', text: 'boom  at  x' });
    expect(parseLogLine('2024-01-02T03:04:05.678Z stdout')).toEqual({ time, stream: 'stdout', text: '' });
  });

  it('rejects lines that are not in the format', () => {
    expect(parseLogLine('garbage')).toBeUndefined();
    expect(parseLogLine('2024-01-02T03:04:05.678Z other text')).toBeUndefined();
    expect(parseLogLine('notatime stdout text')).toBeUndefined();
  });
});
