// orders: takes an order, prices it from the catalog and reserves its items at the inventory.
//   POST /orders   { items: [{ id, qty }] } → 201 { id, items, total, reservation }
//                  404 unknown product, 409 not enough stock, 502/504 a dependency failed
//                  With { id, reservation, paymentId?, customer? } as well (what the place-order
//                  workflow sends once it has reserved the stock and charged the payment): the
//                  order takes that id and that reservation, which must be held at the inventory
//                  (409 otherwise), and reserves nothing itself; repeating an id this instance
//                  has taken answers 200 with that order.
//   GET  /orders   the orders this instance took (kept in memory, newest first)
// /healthz answers 503 until both dependencies have answered once, so tutti does not route
// orders here (nor start the gateway) before this instance can actually serve them.
import { callJson, dependencyUrl, HttpError, json, readJson, serve } from './lib/http.js';

const CATALOG_URL = dependencyUrl('CATALOG_URL');
const INVENTORY_URL = dependencyUrl('INVENTORY_URL');
const instance = process.env.TUTTI_INSTANCE ?? 'orders-local';
const seen = { catalog: false, inventory: false };
const warned = new Set();
const orders = [];
const byId = new Map();
let taken = 0;
let timer;

async function checkDependencies() {
  for (const [dep, url] of [['catalog', CATALOG_URL], ['inventory', INVENTORY_URL]]) {
    if (seen[dep]) continue;
    try {
      const { status } = await callJson(url, '/healthz', { timeoutMs: 1000 });
      if (status === 200) {
        seen[dep] = true;
        console.log(`${dep} answered, ${seen.catalog && seen.inventory ? 'ready' : 'still waiting'}`);
      }
    } catch (err) {
      if (!warned.has(dep)) console.log(`waiting for ${dep}: ${err.message}`);
      warned.add(dep);
    }
  }
  if (!(seen.catalog && seen.inventory)) timer = setTimeout(checkDependencies, 500);
}

async function price(items) {
  if (!Array.isArray(items) || items.length === 0) throw new HttpError(400, 'items must be a non-empty array');
  const priced = [];
  for (const { id, qty } of items) {
    if (typeof id !== 'string') throw new HttpError(400, 'every item needs an id');
    const { status, body } = await callJson(CATALOG_URL, `/products/${encodeURIComponent(id)}`);
    if (status === 404) throw new HttpError(404, `no product ${id}`);
    if (status !== 200) throw new HttpError(502, `catalog answered ${status} for ${id}`);
    priced.push({ id, qty, price: body.price });
  }
  return priced;
}

async function reserve(priced) {
  const { status, body } = await callJson(INVENTORY_URL, '/reservations', {
    method: 'POST',
    body: { items: priced.map(({ id, qty }) => ({ id, qty })) },
  });
  if (status !== 201) throw new HttpError(status >= 500 ? 502 : status, body?.error ?? `inventory answered ${status}`, body);
  return { reservation: body.reservation, stock: body.items };
}

/** A reservation made beforehand (by the workflow) must still be held. */
async function heldReservation(reservation) {
  if (typeof reservation !== 'string') throw new HttpError(400, 'reservation must be a string');
  const { status, body } = await callJson(INVENTORY_URL, `/reservations/${encodeURIComponent(reservation)}`);
  if (status === 404) throw new HttpError(409, `no reservation ${reservation} at the inventory`);
  if (status !== 200) throw new HttpError(502, `inventory answered ${status} for reservation ${reservation}`);
  if (body.status !== 'held') throw new HttpError(409, `reservation ${reservation} is ${body.status}`);
  return { reservation };
}

async function placeOrder({ items, id, reservation, paymentId, customer }) {
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw new HttpError(400, 'id must be a non-empty string');
  if (id !== undefined && byId.has(id)) return [200, byId.get(id)];
  const priced = await price(items);
  const reserved = reservation === undefined ? await reserve(priced) : await heldReservation(reservation);
  const total = Math.round(priced.reduce((sum, i) => sum + i.price * i.qty, 0) * 100) / 100;
  const order = {
    id: id ?? `${instance}-${++taken}`, items: priced, total, ...reserved,
    ...(paymentId === undefined ? {} : { paymentId }), ...(customer === undefined ? {} : { customer }), served_by: instance,
  };
  orders.unshift(order);
  byId.set(order.id, order);
  if (orders.length > 100) byId.delete(orders.pop().id);
  console.log(`order ${order.id}: ${priced.length} line(s), total ${total}`);
  return [201, order];
}

serve({
  name: 'orders',
  ready: () => seen.catalog && seen.inventory,
  onShutdown: () => clearTimeout(timer),
  async handle(req, res, url) {
    if (url.pathname !== '/orders') return false;
    if (req.method === 'GET') return json(res, 200, { orders, served_by: instance });
    if (req.method === 'POST') {
      const [status, order] = await placeOrder((await readJson(req)) ?? {});
      return json(res, status, order);
    }
    return false;
  },
});

checkDependencies();
