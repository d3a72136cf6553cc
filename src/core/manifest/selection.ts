// Compiles the `selection:` settings (the stack's, then each service's over them) and the
// stack's `dns:` into their spec form. Overlay rules: a service's selection wins key by key
// over the stack's, which wins over the defaults of core/qos; weights merge key by key too,
// but any `weights` map, at either level, replaces the default weights as a whole, so a signal
// it leaves out weighs 0 (`weights: { latency: 1 }` means "latency only").

import { isIP } from 'node:net';
import { formatDuration, parseDuration } from '../duration.js';
import { DEFAULT_OUTLIER, DEFAULT_QOS_WEIGHTS, DEFAULT_SELECTION } from '../qos/index.js';
import type { OutlierSpec, QosWeights, SelectionSpec, StackSpec } from '../spec.js';
import { problemAt, type ManifestProblem } from './problems.js';
import { DEFAULTS, type ManifestInput } from './schema.js';
import type { ManifestPath, YamlSource } from './yaml-source.js';

export type SelectionInput = NonNullable<ManifestInput['selection']>;

const NO_WEIGHTS: QosWeights = { latency: 0, success: 0, load: 0, health: 0 };

/** One level of `selection:` and where it sits in the manifest. */
export interface SelectionLayer {
  raw: SelectionInput | undefined;
  path: ManifestPath;
}

/**
 * The selection of one level, resolved over the levels above it (`layers`, outermost first).
 * Problems of the result are reported at the innermost layer that sets the keys involved, so
 * a stack-wide mistake is reported once, at the stack's key.
 */
export function compileSelection(layers: SelectionLayer[], src: YamlSource, problems: ManifestProblem[]): SelectionSpec {
  let strategy = DEFAULT_SELECTION.strategy;
  let weights: QosWeights | undefined;
  let outlier: OutlierSpec = { ...DEFAULT_OUTLIER };
  for (const { raw } of layers) {
    if (raw?.strategy !== undefined) strategy = raw.strategy;
    if (raw?.weights !== undefined) weights = { ...(weights ?? NO_WEIGHTS), ...definedOnly(raw.weights) };
    const o = raw?.outlier;
    if (o !== undefined) {
      outlier = {
        consecutiveFailures: o.consecutive_failures ?? outlier.consecutiveFailures,
        baseEjectionMs: o.base_ejection !== undefined ? ms(o.base_ejection) : outlier.baseEjectionMs,
        maxEjectionMs: o.max_ejection !== undefined ? ms(o.max_ejection) : outlier.maxEjectionMs,
      };
    }
  }
  const resolved: SelectionSpec = { strategy, weights: weights ?? { ...DEFAULT_QOS_WEIGHTS }, outlier };

  const own = layers[layers.length - 1];
  const at = (...keys: string[]) => [...own.path, ...keys];
  if (own.raw?.weights !== undefined && Object.values(resolved.weights).every((w) => w === 0)) {
    problems.push(problemAt(src, at('weights'),
      `selection.weights${of(own.path)} are all 0, which leaves nothing to score instances by; give at least one signal a weight above 0`));
  }
  const o = own.raw?.outlier;
  if (o?.base_ejection !== undefined && outlier.baseEjectionMs <= 0) {
    problems.push(problemAt(src, at('outlier', 'base_ejection'), `selection.outlier.base_ejection${of(own.path)} must be longer than 0, got ${JSON.stringify(o.base_ejection)}`));
  }
  if ((o?.base_ejection !== undefined || o?.max_ejection !== undefined) && outlier.maxEjectionMs < outlier.baseEjectionMs) {
    problems.push(problemAt(src, at('outlier', o.max_ejection !== undefined ? 'max_ejection' : 'base_ejection'),
      `selection.outlier.max_ejection${of(own.path)} (${formatDuration(outlier.maxEjectionMs)}) is shorter than its base_ejection (${formatDuration(outlier.baseEjectionMs)})`));
  }
  return resolved;
}

/** The stack's `dns:` with defaults; the host must be an IP address, since it is bound as is. */
export function compileDns(raw: ManifestInput['dns'], src: YamlSource, problems: ManifestProblem[]): NonNullable<StackSpec['dns']> {
  const host = raw?.host ?? DEFAULTS.dns.host;
  if (isIP(host) === 0) {
    problems.push(problemAt(src, ['dns', 'host'], `dns.host must be an IP address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(host)}`));
  }
  return { host, port: raw?.port ?? DEFAULTS.dns.port };
}

/** ' of service "api"' for a service's selection, '' for the stack's. */
function of(path: ManifestPath): string {
  return path[0] === 'services' ? ` of service "${String(path[1])}"` : '';
}

function definedOnly(weights: Partial<QosWeights>): Partial<QosWeights> {
  return Object.fromEntries(Object.entries(weights).filter(([, v]) => v !== undefined));
}

function ms(value: string | number): number {
  return parseDuration(value)!; // the schema only lets durations through
}
