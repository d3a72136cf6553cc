// inventory: stock per product, seeded from the catalog at startup (hence depends_on catalog).
// Stock lives in memory, so this service runs one replica.
//   GET  /stock            stock of every product
//   GET  /stock/:id        stock of one product
//   POST /reservations     { items: [{ id, qty }] } → 201 reserved, or 409 if any item is short
//                          (all or nothing: nothing is reserved when one item is short); a
//                          repeated Idempotency-Key gets the first answer and reserves nothing
//   GET  /reservations/:id the reservation: held or released
//   POST /reservations/:id/release
//                          puts its items back in stock (the place-order workflow's compensation);
//                          releasing it again changes nothing and answers the same
import { callJson, dependencyUrl, HttpError, json, readJson, serve } from './lib/http.js';

const CATALOG_URL = dependencyUrl('CATALOG_URL');
const INITIAL_STOCK = Number(process.env.INITIAL_STOCK ?? 10);
const stock = new Map();
const reservations = new Map(); // id → { reservation, status, items }
const byKey = new Map(); // Idempotency-Key → the reservation it made

// Until the catalog has answered we know no products; /healthz says 503 meanwhile.
async function seed() {
  for (let attempt = 1; ; attempt++) {
    try {
      const { status, body } = await callJson(CATALOG_URL, '/products');
      if (status !== 200) throw new Error(`catalog answered ${status}`);
      for (const p of body.products) stock.set(p.id, INITIAL_STOCK);
      console.log(`seeded stock for ${stock.size} products from the catalog`);
      return;
    } catch (err) {
      console.log(`catalog not reachable yet (attempt ${attempt}): ${err.message}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}

function reserve(items) {
  if (!Array.isArray(items) || items.length === 0) throw new HttpError(400, 'items must be a non-empty array');
  const short = [];
  for (const { id, qty } of items) {
    if (!Number.isInteger(qty) || qty < 1) throw new HttpError(400, `qty of ${id} must be a positive integer`);
    if (!stock.has(id)) throw new HttpError(404, `no product ${id}`);
    if (stock.get(id) < qty) short.push({ id, wanted: qty, available: stock.get(id) });
  }
  if (short.length > 0) throw new HttpError(409, 'not enough stock', { short });
  for (const { id, qty } of items) stock.set(id, stock.get(id) - qty);
  const reservation = `r-${reservations.size + 1}`;
  reservations.set(reservation, { reservation, status: 'held', items: items.map(({ id, qty }) => ({ id, qty })) });
  return {
    reservation,
    items: items.map(({ id, qty }) => ({ id, qty, remaining: stock.get(id) })),
  };
}

function release(id) {
  const r = reservations.get(id);
  if (!r) throw new HttpError(404, `no reservation ${id}`);
  if (r.status === 'held') {
    for (const { id: product, qty } of r.items) stock.set(product, stock.get(product) + qty);
    r.status = 'released';
    console.log(`released ${id}: ${r.items.map((i) => `${i.qty}×${i.id}`).join(', ')} back in stock`);
  }
  return { ...r, items: r.items.map(({ id: product, qty }) => ({ id: product, qty, remaining: stock.get(product) })) };
}

serve({
  name: 'inventory',
  ready: () => stock.size > 0,
  async handle(req, res, url) {
    if (req.method === 'GET' && url.pathname === '/stock') {
      return json(res, 200, { stock: Object.fromEntries(stock) });
    }
    const match = /^\/stock\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      if (!stock.has(match[1])) return json(res, 404, { error: `no product ${match[1]}` });
      return json(res, 200, { id: match[1], available: stock.get(match[1]) });
    }
    if (req.method === 'POST' && url.pathname === '/reservations') {
      const key = req.headers['idempotency-key'];
      if (key && byKey.has(key)) return json(res, 201, byKey.get(key));
      const { items } = await readJson(req);
      const result = reserve(items);
      if (key) byKey.set(key, result);
      console.log(`reserved ${result.reservation}: ${items.map((i) => `${i.qty}×${i.id}`).join(', ')}`);
      return json(res, 201, result);
    }
    const held = /^\/reservations\/([\w-]+)(\/release)?$/.exec(url.pathname);
    if (held && req.method === 'GET' && !held[2]) {
      if (!reservations.has(held[1])) return json(res, 404, { error: `no reservation ${held[1]}` });
      return json(res, 200, reservations.get(held[1]));
    }
    if (held && req.method === 'POST' && held[2]) return json(res, 200, release(held[1]));
    return false;
  },
});

seed();
