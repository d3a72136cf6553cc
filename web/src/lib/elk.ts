// elkjs, loaded on first use (the graph pages only): its small API module in the page, the
// layout engine (about 1.6 MB) in a Web Worker so laying out never blocks the page.

import type { ElkNode } from 'elkjs/lib/elk-api';

interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>;
}

let elk: Promise<Elk> | undefined;

export function loadElk(): Promise<Elk> {
  elk ??= Promise.all([import('elkjs/lib/elk-api.js'), import('elkjs/lib/elk-worker.min.js?url')]).then(([api, worker]) => {
    const ELK = (api as unknown as { default: new (o: { workerUrl: string }) => Elk }).default;
    return new ELK({ workerUrl: worker.default });
  });
  return elk;
}

export type { ElkNode };
