// A fetch() over node:http with one keep-alive Agent: the HTTP client both contenders of
// bench/workflow.js use, so the workflow engines are compared and not two HTTP clients. (Node
// 20's global fetch costs several times more per request than node:http on a small machine;
// the benchmark measures tutti with it too, as an extra row.) Enough of fetch for `call: http`
// and for a Task handler: method, headers, string body, signal; the answer as a Response.
import http from 'node:http';

export function agentFetch(agent = new http.Agent({ keepAlive: true, maxSockets: 256 })) {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = input instanceof URL ? input : new URL(String(input));
      const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent, signal: init.signal ?? undefined }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve(new Response(chunks.length ? Buffer.concat(chunks) : null, { status: res.statusCode, statusText: res.statusMessage, headers }));
        });
      });
      req.on('error', reject);
      req.end(init.body ?? undefined);
    });
}
