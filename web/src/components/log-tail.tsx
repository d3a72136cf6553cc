// The live log tail of one service: the last lines, then new ones as they are written
// (/api/v1/logs?follow=true), filtered by a grep that restarts the stream when it changes.
// The view keeps the newest lines and stays scrolled to the bottom unless the reader scrolled up.

import { useEffect, useRef, useState } from 'preact/hooks';
import { withQuery } from '../api/http';
import { openStream } from '../api/live';
import type { LogLine } from '../api/types';
import { LogLines } from './log-lines';

const KEEP = 500;

export function LogTail({ service }: { service: string }) {
  const [grep, setGrep] = useState('');
  const [applied, setApplied] = useState('');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [status, setStatus] = useState<'connecting' | 'live' | 'down'>('connecting');
  const [error, setError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    setLines([]);
    setError(undefined);
    setStatus('connecting');
    let buffer: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const add = buffer;
      buffer = [];
      setLines((old) => [...old, ...add].slice(-KEEP));
    };
    const close = openStream(
      withQuery('/api/v1/logs', { service, follow: true, tail: 200, grep: applied || undefined }),
      {
        log: (data) => {
          buffer.push(data as LogLine);
          frame ||= requestAnimationFrame(flush);
        },
        error: (data) => setError((data as { message?: string }).message ?? 'the log stream failed'),
      },
      { onOpen: () => setStatus('live'), onDown: () => setStatus('down') },
    );
    return () => {
      close();
      cancelAnimationFrame(frame);
    };
  }, [service, applied]);

  useEffect(() => {
    const b = box.current;
    if (b && stick.current) b.scrollTop = b.scrollHeight;
  }, [lines]);

  return (
    <div class="log-tail">
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(grep.trim());
        }}
      >
        <label class="sr-only" for="tail-grep">
          grep
        </label>
        <input id="tail-grep" type="search" placeholder="grep: text or /regex/i" value={grep} onInput={(e) => setGrep((e.target as HTMLInputElement).value)} />
        <button class="btn" type="submit">
          Filter
        </button>
        <span class={`live ${status === 'live' ? 'on' : 'off'}`}>
          <span class="live-dot" aria-hidden="true" />
          {status === 'live' ? 'following' : status}
        </span>
      </form>
      {error && <p class="notice tone-bad">{error}</p>}
      <div
        class="log-box"
        ref={box}
        tabIndex={0}
        aria-label={`log of ${service}`}
        onScroll={(e) => {
          const b = e.currentTarget as HTMLDivElement;
          stick.current = b.scrollTop + b.clientHeight >= b.scrollHeight - 8;
        }}
      >
        <LogLines lines={lines} empty={applied ? `No line matches ${applied} yet.` : 'No output yet.'} />
      </div>
    </div>
  );
}
