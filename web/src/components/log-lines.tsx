// Log lines as the CLI prints them: time, instance, level, the text; stderr and error levels
// stand out. Shared by the service page's tail and the logs page.

import type { LogLine } from '../api/types';
import { clock } from '../lib/format';

export function LogLines({ lines, showService, empty }: { lines: LogLine[]; showService?: boolean; empty: string }) {
  if (lines.length === 0) return <p class="log-empty muted">{empty}</p>;
  return (
    <>
      {lines.map((l, i) => (
        <div key={i} class={`log-line ${l.stream === 'stderr' ? 'stderr' : ''} ${l.level ? `level-${l.level}` : ''}`}>
          <span class="log-time">{clock(l.time)}</span>
          <span class="log-src">{showService ? l.instance : l.instance.replace(`${l.service}-`, '')}</span>
          {l.level && <span class="log-level">{l.level}</span>}
          <span class="log-text">{l.message ?? l.text}</span>
        </div>
      ))}
    </>
  );
}
