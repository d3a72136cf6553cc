// A service's `resources` compiled: CPU in thousandths of a core, memory in bytes. The schema
// has checked the spelling; what is left is the arithmetic (a CPU amount below 1m, which
// Kubernetes cannot express) and a request above its limit, which Kubernetes refuses at apply
// time — caught here, where the manifest can say which line.

import type { ResourceAmounts, ResourcesSpec } from '../spec.js';
import { parseSize } from '../size.js';
import type { ResourcesInput } from './schema.js';
import { problemAt, type ManifestProblem } from './problems.js';
import type { YamlSource } from './yaml-source.js';

type AmountsInput = NonNullable<ResourcesInput['limits']>;

/** `0.5` → 500, `'250m'` → 250, `'2'` → 2000; undefined when below one thousandth of a core. */
export function cpuMillis(value: string | number): number | undefined {
  const text = String(value).trim();
  const millis = text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
  const rounded = Math.round(millis);
  return Number.isFinite(rounded) && rounded >= 1 ? rounded : undefined;
}

export function compileResources(service: string, raw: ResourcesInput, src: YamlSource, problems: ManifestProblem[]): ResourcesSpec {
  const at = (...path: Array<string | number>) => ['services', service, 'resources', ...path];
  const amounts = (kind: 'requests' | 'limits', input: AmountsInput | undefined): ResourceAmounts | undefined => {
    if (input === undefined) return undefined;
    const out: ResourceAmounts = {};
    if (input.cpu !== undefined) {
      const m = cpuMillis(input.cpu);
      if (m === undefined) problems.push(problemAt(src, at(kind, 'cpu'), `resources.${kind}.cpu of service "${service}" is below 1m (a thousandth of a core), the smallest amount Kubernetes knows`));
      else out.cpuMillis = m;
    }
    if (input.memory !== undefined) {
      const bytes = parseSize(input.memory);
      if (bytes === undefined) problems.push(problemAt(src, at(kind, 'memory'), `resources.${kind}.memory of service "${service}" is not a size (e.g. 256Mi, 512MB, 1G)`));
      else out.memoryBytes = bytes;
    }
    return out;
  };
  const requests = amounts('requests', raw.requests);
  const limits = amounts('limits', raw.limits);
  for (const [key, unit] of [['cpuMillis', 'cpu'], ['memoryBytes', 'memory']] as const) {
    const want = requests?.[key];
    const cap = limits?.[key];
    if (want !== undefined && cap !== undefined && want > cap) {
      problems.push(problemAt(src, at('requests', unit), `resources.requests.${unit} of service "${service}" is more than its limit (${String(raw.requests?.[unit])} > ${String(raw.limits?.[unit])})`));
    }
  }
  return { ...(requests && { requests }), ...(limits && { limits }) };
}
