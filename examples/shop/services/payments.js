// payments: charges orders. A stand-in for a payment provider that is sometimes too busy to
// answer, so the place-order workflow has something to retry and, when it gives up, to
// compensate. Charges live in memory, so this service runs one replica.
//   POST /payments/charge  { orderId, amount } → 200 { paymentId, orderId, amount }
//                          503 when busy: the share PAYMENTS_FAILURE_RATE (0..1, default 0.3) of
//                          requests at random, and always the first PAYMENTS_FAIL_FIRST (default
//                          0) requests for each orderId (deterministic, for tests and demos)
//                          400 bad orderId/amount; 422 an Idempotency-Key reused for another charge
//   GET  /payments         the charges made and the requests received per orderId
// Idempotency-Key: a request repeating the key of a completed charge gets that charge's answer
// again and charges nothing (a retry after a lost answer). A 503 charged nothing, so it is not
// remembered: the same key may try again. Without a key every request is a new charge.
import { HttpError, json, readJson, serve } from './lib/http.js';

const FAILURE_RATE = rate(process.env.PAYMENTS_FAILURE_RATE ?? '0.3');
const FAIL_FIRST = count(process.env.PAYMENTS_FAIL_FIRST ?? '0');
const payments = [];
const byKey = new Map();
const requests = new Map(); // orderId → { requests, busy }

function rate(text) {
  const n = Number(text);
  if (!(n >= 0 && n <= 1)) {
    console.error(`PAYMENTS_FAILURE_RATE must be a number from 0 to 1, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

function count(text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`PAYMENTS_FAIL_FIRST must be a whole number, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

function charge({ orderId, amount } = {}, key) {
  if (typeof orderId !== 'string' || orderId === '') throw new HttpError(400, 'orderId must be a non-empty string');
  if (typeof amount !== 'number' || !(amount > 0)) throw new HttpError(400, 'amount must be a positive number');
  const previous = key ? byKey.get(key) : undefined;
  if (previous) {
    if (previous.orderId !== orderId || previous.amount !== amount) {
      throw new HttpError(422, `Idempotency-Key ${key} was used for another charge (${previous.orderId}, ${previous.amount})`);
    }
    console.log(`replayed ${previous.paymentId} for key ${key}: nothing charged again`);
    return previous;
  }
  const seen = requests.get(orderId) ?? { requests: 0, busy: 0 };
  requests.set(orderId, seen);
  seen.requests += 1;
  if (seen.requests <= FAIL_FIRST || Math.random() < FAILURE_RATE) {
    seen.busy += 1;
    throw new HttpError(503, `payment service busy, nothing charged for ${orderId}; try again`);
  }
  const payment = { paymentId: `p-${payments.length + 1}`, orderId, amount, at: new Date().toISOString() };
  payments.push(payment);
  if (key) byKey.set(key, payment);
  console.log(`charged ${payment.paymentId}: ${amount} for ${orderId}`);
  return payment;
}

serve({
  name: 'payments',
  async handle(req, res, url) {
    if (req.method === 'GET' && url.pathname === '/payments') {
      return json(res, 200, { payments, requests: Object.fromEntries(requests) });
    }
    if (req.method === 'POST' && url.pathname === '/payments/charge') {
      const key = req.headers['idempotency-key'] ?? req.headers['x-idempotency-key'];
      return json(res, 200, charge(await readJson(req), typeof key === 'string' && key ? key : undefined));
    }
    return false;
  },
});

console.log(`failing ${FAILURE_RATE * 100}% of charges at random and the first ${FAIL_FIRST} per order`);
