// Alert rules of the manifest compiled into AlertRuleSpec: each `when` parsed with the PromQL
// subset (a mistake names the manifest position of the value and the column inside the
// expression), templates checked, notify targets checked, durations in milliseconds. Done at
// load time so `tutti up` and `tutti config validate` refuse a bad rule before anything runs.

import { PromqlError, parseExpr } from '../../monitor/promql/index.js';
import { templateError } from '../../monitor/alerts/index.js';
import { parseDuration } from '../duration.js';
import type { AlertNotifySpec, AlertRuleSpec } from '../spec.js';
import { problemAt, type ManifestProblem } from './problems.js';
import type { ManifestInput } from './schema.js';
import type { YamlSource } from './yaml-source.js';

type AlertInput = NonNullable<ManifestInput['alerts']>[number];
type NotifyInput = NonNullable<AlertInput['notify']>[number];

export function compileAlerts(raw: readonly AlertInput[], src: YamlSource, problems: ManifestProblem[]): AlertRuleSpec[] {
  return raw.map((rule, i) => compileRule(rule, i, src, problems));
}

function compileRule(raw: AlertInput, i: number, src: YamlSource, problems: ManifestProblem[]): AlertRuleSpec {
  const at = (...path: Array<string | number>) => ['alerts', i, ...path];
  try {
    parseExpr(raw.when);
  } catch (err) {
    if (!(err instanceof PromqlError)) throw err;
    problems.push(problemAt(src, at('when'), `the "when" expression of alert "${raw.name}" is not valid: ${err.message}`));
  }
  for (const field of ['labels', 'annotations'] as const) {
    for (const [key, text] of Object.entries(raw[field] ?? {})) {
      const bad = templateError(text);
      if (bad !== undefined) problems.push(problemAt(src, at(field, key), `the template of ${field}.${key} in alert "${raw.name}" is not valid: ${bad}`));
    }
  }
  const notify: AlertNotifySpec[] = [];
  (raw.notify ?? []).forEach((n, j) => {
    const target = compileNotify(n);
    if (typeof target === 'string') problems.push(problemAt(src, at('notify', j), `notify target ${j + 1} of alert "${raw.name}" ${target}`));
    else notify.push(target);
  });
  return {
    name: raw.name,
    when: raw.when,
    forMs: raw.for === undefined ? 0 : parseDuration(raw.for)!, // the schema only lets durations through
    labels: { ...raw.labels },
    annotations: { ...raw.annotations },
    notify,
  };
}

/** The compiled target, or what is wrong with it (the end of a sentence). */
function compileNotify(raw: NotifyInput): AlertNotifySpec | string {
  const kinds = (['webhook', 'alertmanager'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) return `needs exactly one of webhook or alertmanager (found ${kinds.length === 0 ? 'none' : 'both'})`;
  const kind = kinds[0];
  const url = raw[kind]!;
  if (!isHttpUrl(url)) return `has ${kind} URL ${JSON.stringify(url)}, which is not an http(s) URL`;
  if (raw.repeat_interval !== undefined && kind !== 'webhook') return 'sets repeat_interval, which only a webhook target has';
  return {
    kind,
    url,
    ...(raw.repeat_interval !== undefined && { repeatIntervalMs: parseDuration(raw.repeat_interval)! }),
    sendResolved: raw.send_resolved ?? true,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
