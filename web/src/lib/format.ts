// How numbers, sizes, times and states read on the dashboard (the CLI's formats where it has
// one). A missing figure is an en dash, never 0: no data is not the same as none.

export const DASH = '–';

export function percent(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${(x * 100).toFixed(digits)}%`;
}

export function rate(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  if (x === 0) return '0/s';
  if (x < 0.1) return `${x.toFixed(2)}/s`;
  if (x < 10) return `${x.toFixed(1)}/s`;
  return `${Math.round(x)}/s`;
}

export function seconds(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  if (x < 0.001) return `${(x * 1e6).toFixed(0)} µs`;
  if (x < 1) return `${(x * 1000).toFixed(x < 0.01 ? 1 : 0)} ms`;
  return `${x.toFixed(2)} s`;
}

export function bytes(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = x;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 1 : 0)} ${units[u]}`;
}

export function cpu(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${x.toFixed(x < 10 ? 1 : 0)}%`;
}

/** 3s, 4m 10s, 2h 5m, 3d 4h */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function ago(t: number | null | undefined, now = Date.now()): string {
  if (!t) return DASH;
  const d = now - t;
  if (d < 5000) return 'just now';
  return `${duration(d).split(' ')[0]} ago`;
}

export function clock(t: number | null | undefined): string {
  if (!t) return DASH;
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function dateTime(t: number | null | undefined): string {
  if (!t) return DASH;
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${clock(t)}`;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

/** The colour of a state word, as the CLI colours it. */
export function tone(state: string | undefined): Tone {
  switch (state) {
    case 'running': case 'completed': case 'passing': case 'ready': case 'done': case 'inactive': case 'resolved':
      return 'ok';
    case 'starting': case 'waiting': case 'stopping': case 'degraded': case 'pending': case 'unknown': case 'backoff': case 'suspended':
      return 'warn';
    case 'failed': case 'crash-looping': case 'unhealthy': case 'failing': case 'firing': case 'faulted':
      return 'bad';
    default:
      return 'idle';
  }
}

/** The tone of a health score in [0, 1]. */
export function healthTone(h: number | null | undefined): Tone {
  if (h === null || h === undefined) return 'idle';
  if (h >= 0.999) return 'ok';
  if (h >= 0.5) return 'warn';
  return 'bad';
}

export function json(value: unknown): string {
  if (value === undefined) return DASH;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
