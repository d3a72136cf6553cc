// Topology: the services as a graph laid out from depends_on (a dependency points at what it
// depends on), coloured by health, each edge labelled with the request rate its target's
// stable endpoint measures (the endpoint counts requests per service, not per caller).

import { useMemo } from 'preact/hooks';
import type { Service } from '../api/types';
import { Notice, Panel } from '../components/bits';
import { Graph, type GraphEdge, type GraphNode } from '../components/graph';
import { rate, tone } from '../lib/format';
import { href } from '../router';
import { useStack } from '../state/stack';

export function serviceGraph(services: Service[]): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const names = new Set(services.map((s) => s.name));
  const nodes = services.map((s) => ({ id: s.name, label: s.name, href: href.service(s.name), kind: 'box' as const }));
  const edges = services.flatMap((s) =>
    Object.keys(s.dependsOn)
      .filter((d) => names.has(d))
      .map((d) => ({ id: `${s.name}->${d}`, source: s.name, target: d })),
  );
  return { nodes, edges };
}

export default function TopologyPage() {
  const live = useStack();
  const services = live.stack?.services ?? [];
  // the layout's input: names and dependencies only (stable while figures change)
  const shapeKey = services.map((s) => `${s.name}:${Object.keys(s.dependsOn).join(',')}`).join(';');
  const base = useMemo(() => serviceGraph(services), [shapeKey]);
  const byName = new Map(services.map((s) => [s.name, s]));
  const nodes = base.nodes.map((n) => {
    const s = byName.get(n.id);
    return { ...n, tone: s ? (s.state === 'running' ? 'ok' : tone(s.state)) : 'idle', sub: s ? `${s.state} · ${s.ready}/${s.desired}` : undefined, title: s?.message ?? n.label } as GraphNode;
  });
  const edges = base.edges.map((e) => {
    const r = live.topByService.get(e.target)?.requestsPerSecond;
    return { ...e, label: r === null || r === undefined ? undefined : rate(r) };
  });

  return (
    <div class="page">
      <h1>Topology</h1>
      {live.loaded && !live.stack ? (
        <Notice>No stack is applied, so there is nothing to draw. Run <code>tutti up</code>.</Notice>
      ) : (
        <Panel title={live.stack ? `${live.stack.name}: ${services.length} services` : 'Services'}>
          {live.stack ? <Graph nodes={nodes} edges={edges} label="service dependency graph" /> : <div class="graph graph-loading" style={{ minHeight: 240 }} />}
          <p class="muted small legend">
            An arrow points from a service to one it depends on; its label is the request rate through the target's stable endpoint. Colours:{' '}
            <span class="tone-text-ok">running</span>, <span class="tone-text-warn">starting or degraded</span>, <span class="tone-text-bad">failed</span>, grey stopped.
          </p>
        </Panel>
      )}
    </div>
  );
}
