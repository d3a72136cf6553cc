// depends_on in its three spellings (a list; a map of conditions; a map of { condition }),
// checked against the services that exist, then ordered: a cycle is an error that names the
// cycle, and the start order puts dependencies first, keeping manifest order otherwise.

import type { DependencyCondition } from '../spec.js';
import { TuttiError } from '../errors.js';
import { COMPOSE_CONDITIONS } from './schema.js';
import { problemAt, suggest, type ManifestProblem } from './problems.js';
import type { ManifestPath, YamlSource } from './yaml-source.js';

export interface DependencyEntry {
  name: string;
  condition: DependencyCondition;
  /** where the entry is written: a list item, or a map key */
  path: ManifestPath;
  key: boolean;
}

type RawCondition = string | { condition?: string };
export type RawDependsOn = string[] | Record<string, RawCondition> | undefined;

function toCondition(raw: RawCondition): DependencyCondition {
  const text = typeof raw === 'string' ? raw : (raw.condition ?? 'started');
  return (COMPOSE_CONDITIONS[text] ?? text) as DependencyCondition;
}

/** The entries of a (schema-valid) depends_on, in the order written. */
export function dependencyEntries(service: string, raw: RawDependsOn): DependencyEntry[] {
  const base = ['services', service, 'depends_on'];
  if (raw === undefined) return [];
  if (Array.isArray(raw)) {
    return raw.map((name, i) => ({ name, condition: 'started' as const, path: [...base, i], key: false }));
  }
  return Object.entries(raw).map(([name, cond]) => ({ name, condition: toCondition(cond), path: [...base, name], key: true }));
}

/** Problems with dependency names: unknown services (with a suggestion) and self-dependencies. */
export function checkDependencyNames(
  entries: Record<string, DependencyEntry[]>,
  src: YamlSource,
): ManifestProblem[] {
  const names = Object.keys(entries);
  const problems: ManifestProblem[] = [];
  for (const [service, deps] of Object.entries(entries)) {
    for (const dep of deps) {
      if (dep.name === service) {
        problems.push(problemAt(src, dep.path, `service "${service}" depends on itself`, { key: dep.key }));
      } else if (!Object.hasOwn(entries, dep.name)) {
        problems.push(
          problemAt(src, dep.path, `service "${service}" depends on "${dep.name}", which is not a service of this stack`, {
            key: dep.key,
            suggestion: suggest(dep.name, names.filter((n) => n !== service)),
          }),
        );
      }
    }
  }
  return problems;
}

/** The first dependency cycle found, as a closed path starting at its earliest-declared service. */
export function findCycle(graph: Record<string, string[]>): string[] | undefined {
  const names = Object.keys(graph);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of graph[name] ?? []) {
      if (!Object.hasOwn(graph, dep)) continue;
      if (state.get(dep) === 'visiting') return stack.slice(stack.indexOf(dep));
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    if (state.has(name)) continue;
    const cycle = visit(name);
    if (cycle) {
      const first = cycle.reduce((a, b) => (names.indexOf(b) < names.indexOf(a) ? b : a));
      const at = cycle.indexOf(first);
      const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
      return [...rotated, first];
    }
  }
  return undefined;
}

export function cycleError(cycle: string[], entries: Record<string, DependencyEntry[]>, src: YamlSource, file: string): TuttiError {
  const edge = entries[cycle[0]].find((d) => d.name === cycle[1])!;
  const problem = problemAt(src, edge.path, `dependency cycle: ${cycle.join(' -> ')}`, { key: edge.key });
  return new TuttiError('TUTTI_E_DEPENDENCY_CYCLE', problem.message, {
    hint: 'Services in a cycle would wait for each other forever; remove one of these depends_on entries.',
    details: { file, cycle, errors: [problem] },
  });
}

/**
 * Start order: repeatedly the earliest service in the manifest whose dependencies are all
 * placed. Assumes no cycle.
 */
export function dependencyOrder(graph: Record<string, string[]>): string[] {
  const remaining = Object.keys(graph);
  const placed = new Set<string>();
  const order: string[] = [];
  while (remaining.length > 0) {
    const i = remaining.findIndex((name) => graph[name].every((dep) => placed.has(dep) || !Object.hasOwn(graph, dep)));
    if (i < 0) throw new Error(`dependency cycle among ${remaining.join(', ')}`);
    const [next] = remaining.splice(i, 1);
    placed.add(next);
    order.push(next);
  }
  return order;
}
