// Binary operators with Prometheus semantics: arithmetic and comparison between scalars and
// vectors, one-to-one vector matching on the label set without `__name__` (or on/ignoring),
// comparisons that filter (keeping the vector's value) or with `bool` yield 0/1, and the set
// operators and/or/unless, which match by label set and never change a value.

import {
  type Binary, type BinaryOp, type ComparisonOp, type Sample, type Value, type VectorMatching,
  isComparison, isSetOp,
} from './ast.js';
import { goPow } from './floats.js';
import { dropMetricName, formatLabels, matchSignature, omit, pick } from './labels.js';
import { PromqlError } from './promql-error.js';

export function evalBinary(node: Binary, lhs: Value, rhs: Value): Value {
  const { op, bool } = node;
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const v = isComparison(op) ? Number(compare(op, lhs.value, rhs.value)) : arithmetic(op, lhs.value, rhs.value);
    return { type: 'scalar', value: v };
  }
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    const samples = isSetOp(op)
      ? setOperation(op, lhs.samples, rhs.samples, node.matching)
      : vectorVector(op, lhs.samples, rhs.samples, bool, node.matching);
    return { type: 'vector', samples };
  }
  const vector = lhs.type === 'vector' ? lhs.samples : (rhs as { samples: Sample[] }).samples;
  const scalar = lhs.type === 'scalar' ? lhs.value : (rhs as { value: number }).value;
  return { type: 'vector', samples: vectorScalar(op, vector, scalar, lhs.type === 'scalar', bool) };
}

function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    // IEEE 754 as in Go: x/0 is ±Inf, 0/0 is NaN; `%` follows Go's math.Mod, as JS does.
    case '/': return l / r;
    case '%': return l % r;
    case '^': return goPow(l, r);
    default: throw new Error(`not an arithmetic operator: ${op}`);
  }
}

function compare(op: ComparisonOp, l: number, r: number): boolean {
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '>': return l > r;
    case '<': return l < r;
    case '>=': return l >= r;
    case '<=': return l <= r;
  }
}

/** The vector's sample survives a filtering comparison with its own value, on either side. */
function vectorScalar(op: BinaryOp, samples: readonly Sample[], scalar: number, scalarLeft: boolean, bool: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of samples) {
    const [l, r] = scalarLeft ? [scalar, s.value] : [s.value, scalar];
    if (!isComparison(op)) {
      out.push({ labels: dropMetricName(s.labels), value: arithmetic(op, l, r) });
    } else if (bool) {
      out.push({ labels: dropMetricName(s.labels), value: Number(compare(op, l, r)) });
    } else if (compare(op, l, r)) {
      out.push({ labels: s.labels, value: s.value });
    }
  }
  return out;
}

function vectorVector(
  op: BinaryOp, lhs: readonly Sample[], rhs: readonly Sample[], bool: boolean, matching: VectorMatching | undefined,
): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Map<string, Sample>();
  for (const rs of rhs) {
    const sig = matchSignature(rs.labels, matching);
    const dup = right.get(sig);
    if (dup) {
      throw new PromqlError(
        `found duplicate series for the match group ${formatLabels(matchedLabels(rs.labels, matching))} on the ` +
          `right-hand side of "${op}": ${formatLabels(rs.labels)} and ${formatLabels(dup.labels)}; ` +
          'many-to-many matching is not allowed',
        undefined,
        { hint: 'aggregate the right-hand side, e.g. sum by (…) (…), so it has one series per match group' },
      );
    }
    right.set(sig, rs);
  }
  const matched = new Set<string>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const sig = matchSignature(ls.labels, matching);
    const rs = right.get(sig);
    if (!rs) continue;
    let value: number;
    if (!isComparison(op)) value = arithmetic(op, ls.value, rs.value);
    else if (bool) value = Number(compare(op, ls.value, rs.value));
    else if (compare(op, ls.value, rs.value)) value = ls.value;
    else continue;
    if (matched.has(sig)) {
      throw new PromqlError(
        `several left-hand series match ${formatLabels(rs.labels)} in "${op}"; many-to-one matching is not supported`,
        undefined,
        { hint: 'aggregate the left-hand side, or match on more labels with on(…)' },
      );
    }
    matched.add(sig);
    out.push({ labels: resultLabels(ls.labels, op, bool, matching), value });
  }
  return out;
}

/** Arithmetic and `bool` results are new quantities, so they lose the metric name. */
function resultLabels(labels: Sample['labels'], op: BinaryOp, bool: boolean, matching: VectorMatching | undefined) {
  let out = !isComparison(op) || bool ? dropMetricName(labels) : labels;
  if (matching?.on) out = pick(out, matching.labels);
  else if (matching) out = omit(out, new Set(matching.labels));
  return out;
}

function matchedLabels(labels: Sample['labels'], matching: VectorMatching | undefined): Sample['labels'] {
  if (matching?.on) return pick(labels, matching.labels);
  return dropMetricName(omit(labels, new Set(matching?.labels ?? [])));
}

function setOperation(op: BinaryOp, lhs: readonly Sample[], rhs: readonly Sample[], matching: VectorMatching | undefined): Sample[] {
  const sig = (s: Sample) => matchSignature(s.labels, matching);
  switch (op) {
    case 'and': {
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => right.has(sig(s)));
    }
    case 'or': {
      const left = new Set(lhs.map(sig));
      return [...lhs, ...rhs.filter((s) => !left.has(sig(s)))];
    }
    case 'unless': {
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => !right.has(sig(s)));
    }
    default: throw new Error(`not a set operator: ${op}`);
  }
}
