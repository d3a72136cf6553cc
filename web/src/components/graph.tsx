// A directed graph laid out by elkjs (layered, like a dependency or flow chart) and drawn as
// SVG: nodes are links (keyboard-reachable) coloured by their tone, edges carry an optional
// live label. The layout depends only on the nodes and edges, not on labels or tones, so live
// updates redraw without laying out again; space is reserved while the layout runs.

import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Tone } from '../lib/format';
import { loadElk, type ElkNode } from '../lib/elk';
import { Notice } from './bits';

export interface GraphNode {
  id: string;
  label: string;
  sub?: string;
  tone?: Tone;
  href?: string;
  /** a drawn shape other than the box: start/end dots of a flow */
  kind?: 'box' | 'terminal' | 'group';
  title?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  dashed?: boolean;
}

interface Placed {
  nodes: Map<string, { x: number; y: number; w: number; h: number }>;
  edges: Map<string, string>;
  mids: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
}

const CHAR = 7.4;

function sizeOf(n: GraphNode): { w: number; h: number } {
  if (n.kind === 'terminal') return { w: 22, h: 22 };
  const text = Math.max(n.label.length, (n.sub ?? '').length * 0.85);
  return { w: Math.max(90, Math.min(260, text * CHAR + 28)), h: n.sub ? 46 : 32 };
}

async function layout(nodes: GraphNode[], edges: GraphEdge[], direction: 'RIGHT' | 'DOWN'): Promise<Placed> {
  const elk = await loadElk();
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.nodeNode': '22',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => ({ id: n.id, width: sizeOf(n).w, height: sizeOf(n).h })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(graph);
  const placed: Placed = { nodes: new Map(), edges: new Map(), mids: new Map(), width: out.width ?? 0, height: out.height ?? 0 };
  for (const c of out.children ?? []) placed.nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 });
  for (const e of (out.edges ?? []) as Array<{ id: string; sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }> }>) {
    const s = e.sections?.[0];
    if (!s) continue;
    const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    placed.edges.set(e.id, pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(''));
    // the label sits on the middle of the longest segment
    let best = 0;
    let mid = { x: (s.startPoint.x + s.endPoint.x) / 2, y: (s.startPoint.y + s.endPoint.y) / 2 };
    for (let i = 1; i < pts.length; i++) {
      const len = Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
      if (len > best) {
        best = len;
        mid = { x: (pts[i].x + pts[i - 1].x) / 2, y: (pts[i].y + pts[i - 1].y) / 2 };
      }
    }
    placed.mids.set(e.id, mid);
  }
  return placed;
}

export function Graph({ nodes, edges, label, direction = 'RIGHT', minHeight = 240 }: { nodes: GraphNode[]; edges: GraphEdge[]; label: string; direction?: 'RIGHT' | 'DOWN'; minHeight?: number }) {
  const shape = useMemo(() => JSON.stringify([nodes.map((n) => [n.id, n.label, n.sub ?? '', n.kind ?? '']), edges.map((e) => [e.id, e.source, e.target]), direction]), [nodes, edges, direction]);
  const [placed, setPlaced] = useState<{ shape: string; p: Placed }>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    layout(nodes, edges, direction).then(
      (p) => live && setPlaced({ shape, p }),
      (err: unknown) => live && setError(String(err)),
    );
    return () => {
      live = false;
    };
  }, [shape]);

  if (error) return <Notice tone="bad">The graph could not be laid out: {error}</Notice>;
  if (!placed) return <div class="graph graph-loading" style={{ minHeight }} aria-busy="true" aria-label={`${label}: laying out`} />;
  const { p } = placed;
  const pad = 12;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <div class="graph" style={{ minHeight }}>
      <svg viewBox={`${-pad} ${-pad} ${p.width + 2 * pad} ${p.height + 2 * pad}`} role="group" aria-label={label} style={{ maxWidth: `${p.width + 2 * pad}px` }}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0L10,5L0,10z" class="edge-head" />
          </marker>
        </defs>
        {edges.map((e) => {
          const d = p.edges.get(e.id);
          if (!d) return null;
          const mid = p.mids.get(e.id);
          return (
            <g key={e.id} class={`edge ${e.dashed ? 'dashed' : ''}`} data-edge={`${e.source}->${e.target}`}>
              <path d={d} marker-end="url(#arrow)" />
              {e.label && mid && (
                <text x={mid.x} y={mid.y - 4} class="edge-label" text-anchor="middle">
                  {e.label}
                </text>
              )}
            </g>
          );
        })}
        {[...p.nodes].map(([id, box]) => {
          const n = byId.get(id);
          if (!n) return null;
          const body =
            n.kind === 'terminal' ? (
              <circle cx={box.x + box.w / 2} cy={box.y + box.h / 2} r={box.w / 2 - 2} class={`node-terminal tone-${n.tone ?? 'idle'}`} />
            ) : (
              <>
                <rect x={box.x} y={box.y} width={box.w} height={box.h} rx="7" class={`node-box tone-${n.tone ?? 'idle'}`} />
                <text x={box.x + box.w / 2} y={box.y + (n.sub ? 19 : box.h / 2 + 4.5)} text-anchor="middle" class="node-label">
                  {n.label}
                </text>
                {n.sub && (
                  <text x={box.x + box.w / 2} y={box.y + 35} text-anchor="middle" class="node-sub">
                    {n.sub}
                  </text>
                )}
              </>
            );
          return n.href ? (
            <a key={id} href={n.href} class="node" data-node={id} aria-label={`${n.label}${n.sub ? `, ${n.sub}` : ''}`}>
              <title>{n.title ?? n.label}</title>
              {body}
            </a>
          ) : (
            <g key={id} class="node" data-node={id}>
              <title>{n.title ?? n.label}</title>
              {body}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
