// The progress of an operation (restart, scale, stop, start) as the orchestrator reports it:
// its events streamed from /api/v1/operations/{id}/events until 'complete', then the result.

import { useEffect, useState } from 'preact/hooks';
import { openStream } from '../api/live';
import type { Operation, OperationEvent } from '../api/types';
import { clock } from '../lib/format';
import { Badge } from './bits';

export function OperationProgress({ op, onDone }: { op: Operation; onDone?: (ok: boolean) => void }) {
  const [events, setEvents] = useState<OperationEvent[]>(op.events);
  const [result, setResult] = useState<boolean | undefined>(op.done ? op.ok : undefined);

  useEffect(() => {
    if (op.done) {
      onDone?.(op.ok === true);
      return;
    }
    const seen = new Set(op.events.map((e) => e.seq));
    const close = openStream(
      `/api/v1/operations/${encodeURIComponent(op.id)}/events`,
      {
        operation: (data) => {
          const e = data as OperationEvent;
          if (seen.has(e.seq)) return;
          seen.add(e.seq);
          setEvents((list) => [...list, e]);
          if (e.phase === 'complete') {
            // the server ends the stream now; EventSource would reconnect and replay it
            close();
            setResult(e.ok === true);
            onDone?.(e.ok === true);
          }
        },
      },
      { retry: false },
    );
    return close;
  }, [op.id]);

  const shown = events.filter((e) => e.phase !== 'complete' && e.phase !== 'unchanged');
  return (
    <div class="operation" role="status" aria-live="polite">
      <div class="operation-head">
        <strong>{op.kind}</strong>
        {result === undefined ? <Badge state="in progress" tone="warn" /> : result ? <Badge state="succeeded" tone="ok" /> : <Badge state="failed" tone="bad" />}
      </div>
      <ol class="operation-events">
        {shown.map((e) => (
          <li key={e.seq}>
            <span class="muted num">{clock(e.time)}</span> <Badge state={e.phase} /> {e.instance ?? e.service ?? ''} {e.message && <span class="muted">{e.message}</span>}
            {e.logs && e.logs.length > 0 && <pre class="logs-mini">{e.logs.join('\n')}</pre>}
          </li>
        ))}
        {shown.length === 0 && result === undefined && <li class="muted">waiting for the first step…</li>}
      </ol>
    </div>
  );
}
