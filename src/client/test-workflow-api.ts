// A stand-in for the control plane's workflow, run and event routes (COMMON REST API), on a real
// socket: canned workflows and runs, scripted watch streams, and a log of every request, so the
// client and the CLI are tested over the wire without the engine. Test-only (not built).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunDetail, RunSummary, WorkflowSummary } from './api-types.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** One item a watch stream sends; `drop` ends the connection there (a daemon restart). */
export type WatchStep = { event: 'task' | 'run' | 'error'; data: unknown } | { drop: true };

export interface WorkflowApiStub {
  url: string;
  requests: RecordedRequest[];
  workflows: WorkflowSummary[];
  runs: Map<string, RunDetail>;
  /** per run id, the streams answered in turn (the last one is repeated) */
  watches: Map<string, WatchStep[][]>;
  close(): Promise<void>;
}

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const notFound = (res: http.ServerResponse, what: string) => send(res, 404, { code: 'TUTTI_E_NOT_FOUND', message: `no ${what}` });

export function summary(run: RunDetail): RunSummary {
  const { tasks: _t, position: _p, context: _c, ...rest } = run;
  return rest;
}

export async function startWorkflowApiStub(): Promise<WorkflowApiStub> {
  const stub: Omit<WorkflowApiStub, 'url' | 'close'> = { requests: [], workflows: [], runs: new Map(), watches: new Map() };
  let seq = 0;
  let runNo = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text === '' ? undefined : JSON.parse(text);
    stub.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const route = `${req.method} ${url.pathname}`;
    let m: RegExpExecArray | null;

    if (route === 'GET /api/v1/workflows') return send(res, 200, { workflows: stub.workflows });
    if (route === 'POST /api/v1/workflows') {
      const { source, file } = body as { source: string; file?: string };
      if (source.includes('BROKEN')) {
        return send(res, 400, {
          code: 'TUTTI_E_BAD_REQUEST',
          message: `${file}:3:5 /do/0/a: bad one (and 1 more problem)`,
          hint: 'fix the workflow document at that place',
          details: { problems: [{ text: `${file}:3:5 /do/0/a: bad one.` }, { text: `${file}:7:9 /do/1/b/then: names no task.` }] },
        });
      }
      const name = /name: (\S+)/.exec(source)?.[1] ?? 'unnamed';
      const version = /version: '?([\d.]+)/.exec(source)?.[1] ?? '0.1.0';
      return send(res, 201, { name, version, created: !stub.workflows.some((w) => w.name === name && w.version === version) });
    }
    if ((m = /^POST \/api\/v1\/workflows\/([^/]+)\/runs$/.exec(route))) {
      const name = decodeURIComponent(m[1]);
      const wf = stub.workflows.find((w) => w.name === name);
      if (!wf) return notFound(res, `workflow ${name}`);
      const b = (body ?? {}) as { input?: unknown; version?: string };
      const id = `run-${++runNo}`;
      const now = Date.now();
      const run: RunDetail = { id, workflow: name, version: b.version ?? wf.version, status: 'running', input: b.input ?? {}, createdAt: now, updatedAt: now, tasks: [], context: {} };
      if (!stub.runs.has(id)) stub.runs.set(id, run);
      return send(res, 201, { run: summary(stub.runs.get(id)!) });
    }
    if (route === 'GET /api/v1/runs') {
      const status = url.searchParams.get('status');
      const runs = [...stub.runs.values()].filter((r) => !status || r.status === status).map(summary);
      return send(res, 200, { runs, ...(runs.length > 1 ? { next: 'cursor-2' } : {}) });
    }
    if ((m = /^GET \/api\/v1\/runs\/([^/]+)$/.exec(route))) {
      const run = stub.runs.get(decodeURIComponent(m[1]));
      return run ? send(res, 200, { run }) : notFound(res, `run ${m[1]}`);
    }
    if ((m = /^POST \/api\/v1\/runs\/([^/]+)\/(cancel|suspend|resume)$/.exec(route))) {
      const run = stub.runs.get(decodeURIComponent(m[1]));
      if (!run) return notFound(res, `run ${m[1]}`);
      const next = { cancel: 'cancelled', suspend: 'suspended', resume: 'running' } as const;
      if (run.status === 'completed') return send(res, 409, { code: 'TUTTI_E_CONFLICT', message: `run ${run.id} is completed`, hint: 'only running or suspended runs change' });
      run.status = next[m[2] as keyof typeof next];
      return send(res, 200, { run: summary(run) });
    }
    if ((m = /^GET \/api\/v1\/runs\/([^/]+)\/watch$/.exec(route))) {
      const id = decodeURIComponent(m[1]);
      const scripts = stub.watches.get(id);
      if (!scripts || !stub.runs.has(id)) return notFound(res, `run ${id}`);
      const steps = scripts.length > 1 ? scripts.shift()! : scripts[0];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const step of steps) {
        // a cut connection (no end of the chunked body): the client reads an error
        if ('drop' in step) return void res.write(': bye\n\n', () => res.destroy());
        res.write(`event: ${step.event}\ndata: ${JSON.stringify(step.data)}\n\n`);
      }
      return res.end();
    }
    if (route === 'POST /api/v1/events') {
      const e = body as { id?: string };
      return send(res, 202, { id: e.id ?? `generated-${seq + 1}`, seq: ++seq });
    }
    return notFound(res, route);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    ...stub,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
