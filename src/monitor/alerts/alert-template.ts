// The part of Prometheus' alert templating that rules actually lean on: `{{ $labels.x }}` and
// `{{ $value }}` (and their `.Labels.x` / `.Value` spellings, and `index $labels "x"`), with
// Go's output: a missing label prints nothing, a value prints as Go's `%v` does. Anything
// else is left as written; `templateError` lets the manifest compiler reject it up front.

import type { Labels } from './types.js';

export interface TemplateData {
  /** The labels of the sample the alert comes from (Prometheus' `$labels`). */
  labels: Labels;
  value: number;
}

const ACTION = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
const VALUE = /^(?:\$value|\.Value)$/;
const LABEL_FIELD = /^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const LABEL_INDEX = /^index\s+(?:\$labels|\.Labels)\s+"((?:[^"\\]|\\.)*)"$/;

/** Evaluates one action; undefined when it is outside the supported subset. */
function evaluate(action: string, data: TemplateData): string | undefined {
  const text = action.trim();
  if (VALUE.test(text)) return formatGoFloat(data.value);
  const field = LABEL_FIELD.exec(text) ?? LABEL_INDEX.exec(text);
  if (field) {
    const name = field[1].replace(/\\(.)/g, '$1');
    return Object.hasOwn(data.labels, name) ? data.labels[name] : '';
  }
  if (text.startsWith('/*') && text.endsWith('*/')) return '';
  return undefined;
}

/** Expands the supported actions in `text`; unsupported ones are left as written. */
export function expandTemplate(text: string, data: TemplateData): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let last = 0;
  let trimNext = false;
  for (const m of text.matchAll(ACTION)) {
    let before = text.slice(last, m.index);
    // Go's `{{- ` and ` -}}` trim the white space on that side of the action.
    if (trimNext) before = before.trimStart();
    const result = evaluate(m[2], data);
    if (result === undefined) {
      out += before + m[0];
      trimNext = false;
    } else {
      out += (m[1] ? before.trimEnd() : before) + result;
      trimNext = Boolean(m[3]);
    }
    last = m.index + m[0].length;
  }
  const rest = text.slice(last);
  return out + (trimNext ? rest.trimStart() : rest);
}

/** Names the first action `expandTemplate` would leave unexpanded, if any. */
export function templateError(text: string): string | undefined {
  for (const m of text.matchAll(ACTION)) {
    if (evaluate(m[2], { labels: {}, value: 0 }) === undefined) {
      return `unsupported template action ${m[0]} at offset ${m.index}: only {{ $labels.<name> }}, {{ index $labels "<name>" }} and {{ $value }} are supported`;
    }
  }
  return undefined;
}

/**
 * A float64 as Go's `fmt.Sprint` prints it (`%v`, i.e. `%g` with the shortest digits):
 * exponent form below 1e-4 and from 1e6 up, two-digit exponents, `+Inf`, `-Inf`, `NaN`.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  // JavaScript's toExponential() with no argument yields the same shortest round-trip digits.
  const [mantissa, expText] = Math.abs(value).toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const magnitude = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${magnitude}`;
  }
  const digits = mantissa.replace('.', '');
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}${fraction ? '.' + fraction : ''}`;
}
