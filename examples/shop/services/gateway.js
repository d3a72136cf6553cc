// gateway: the shop's front door. Forwards /api/* to the services by the URLs tutti injects,
// passing status and body through, so a client needs to know one address only.
//   GET  /                    what is where
//   GET  /api/catalog[/:id]   → catalog  GET /products[/:id]
//   GET  /api/orders          → orders   GET /orders
//   POST /api/orders          → orders   POST /orders
import { dependencyUrl, HttpError, json, serve } from './lib/http.js';

const ROUTES = [
  { prefix: '/api/catalog', target: dependencyUrl('CATALOG_URL'), path: '/products' },
  { prefix: '/api/orders', target: dependencyUrl('ORDERS_URL'), path: '/orders' },
];
const TIMEOUT_MS = 5000;

async function forward(req, res, route, rest) {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream;
  try {
    upstream = await fetch(route.target + route.path + rest, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: hasBody ? req : undefined,
      duplex: hasBody ? 'half' : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err?.name === 'TimeoutError';
    throw new HttpError(timedOut ? 504 : 502, `${route.target} ${timedOut ? 'timed out' : 'is unreachable'}: ${err?.cause?.code ?? err.message}`);
  }
  const body = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'application/json',
    'content-length': body.length,
  });
  res.end(body);
}

serve({
  name: 'gateway',
  async handle(req, res, url) {
    if (url.pathname === '/' && req.method === 'GET') {
      return json(res, 200, {
        shop: 'tutti example',
        try: ['GET /api/catalog', 'GET /api/catalog/espresso', 'POST /api/orders {"items":[{"id":"espresso","qty":1}]}', 'GET /api/orders'],
      });
    }
    for (const route of ROUTES) {
      if (url.pathname === route.prefix || url.pathname.startsWith(route.prefix + '/')) {
        return forward(req, res, route, url.pathname.slice(route.prefix.length) + url.search);
      }
    }
    return false;
  },
});
