// Small pieces every page uses: state badges, the health bar, notices for missing data, skeleton
// rows that hold a table's height until its data arrives, and a titled panel.

import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/http';
import { healthTone, percent, tone, type Tone } from '../lib/format';

export function Badge({ state, tone: t, title }: { state: string; tone?: Tone; title?: string }) {
  return (
    <span class={`badge tone-${t ?? tone(state)}`} title={title}>
      {state}
    </span>
  );
}

export function HealthBar({ value, label }: { value: number | null | undefined; label?: string }) {
  const v = value ?? 0;
  return (
    <span class="health" title={label ?? `health ${percent(value)}`}>
      <span class="health-track">
        <span class={`health-fill tone-${healthTone(value)}`} style={{ width: `${Math.round(v * 100)}%` }} />
      </span>
      <span class="num">{percent(value)}</span>
    </span>
  );
}

export function Panel({ title, actions, children, id, class: cls }: { title: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; id?: string; class?: string }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section class={`panel ${cls ?? ''}`} aria-labelledby={headingId} id={id}>
      <header class="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions && <div class="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A plain sentence where data is missing: why, and what to do. */
export function Notice({ children, tone: t = 'idle', role }: { children: ComponentChildren; tone?: Tone; role?: 'alert' | 'status' }) {
  return (
    <p class={`notice tone-${t}`} role={role}>
      {children}
    </p>
  );
}

export function ErrorNotice({ error, what }: { error: ApiError; what?: string }) {
  return (
    <Notice tone="bad" role="alert">
      {what ? `${what}: ` : ''}
      {error.message}
      {error.hint && <span class="hint"> — {error.hint}</span>}
    </Notice>
  );
}

/** Rows of grey bars the height of real rows, so a table does not jump when data arrives. */
export function SkeletonRows({ rows, cols }: { rows: number; cols: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr class="skeleton" key={`s${r}`} aria-hidden="true">
          {Array.from({ length: cols }, (_, c) => (
            <td key={c}>
              <span class="bone" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function Stat({ label, value, sub, tone: t }: { label: string; value: ComponentChildren; sub?: ComponentChildren; tone?: Tone }) {
  return (
    <div class={`stat tone-${t ?? 'idle'}`}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      <div class="stat-sub">{sub ?? '\u00a0'}</div>
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {value === undefined ? '–' : JSON.stringify(value, null, 2)}
    </pre>
  );
}
