// The shop's place-order workflow end to end: a real daemon on a copy of examples/shop runs
// workflows/place-order.yaml through `tutti workflow run … --wait --json` against the real
// services. Success: the stock goes down, the payment is charged once although the payment
// service answered 503 twice first (retries with the same Idempotency-Key), the order is created.
// Failure: with every charge answered 503, the retries run out, the reservation is released
// (stock back), nothing is charged and the run faults with the payment-failed error.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, ROOT, run } from './helpers/tutti.js';

const PAYMENT_FAILED = 'https://tutti.dev/examples/shop/errors/payment-failed';

describe('examples/shop place-order workflow', () => {
  // a copy, so the test never leaves state in the checkout
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tutti-shop-wf-')), 'shop');
  cpSync(path.join(ROOT, 'examples', 'shop'), dir, { recursive: true, filter: (src) => !src.includes('.tutti') });

  const up = async (env: Record<string, string>) => {
    const r = await run(['up', dir], { cwd: os.tmpdir(), env, timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  };

  /** `tutti workflow run place-order --input … --wait --json`: the run as the CLI prints it. */
  const placeOrder = async (input: unknown) => {
    const r = await run(['workflow', 'run', 'place-order', '--input', JSON.stringify(input), '--wait', '--json'], { cwd: dir, timeoutMs: 60_000 });
    let parsed: any;
    try {
      parsed = JSON.parse(r.stdout);
    } catch {
      throw new Error(`tutti workflow run printed no JSON (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
    }
    const summary = parsed.run ?? parsed;
    expect(summary.id, r.stdout).toEqual(expect.any(String));
    return { code: r.code, summary, detail: await runDetail(summary.id) };
  };

  const daemon = () => JSON.parse(readFileSync(path.join(dir, '.tutti', 'daemon.json'), 'utf8')) as { url: string; pid: number };
  const token = () => readFileSync(path.join(dir, '.tutti', 'token'), 'utf8').trim();

  const runDetail = async (id: string) => {
    const res = await fetch(`${daemon().url}/api/v1/runs/${id}`, { headers: { authorization: `Bearer ${token()}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { run: any }).run;
  };

  let endpoints: Record<string, string> = {};
  const readEndpoints = async () => {
    const ps = JSON.parse((await run(['ps', '--json'], { cwd: dir })).stdout);
    endpoints = Object.fromEntries(ps.services.map((s: any) => [s.name, s.endpoint]));
  };
  const getJson = async (service: string, p: string) => {
    const res = await fetch(`${endpoints[service]}${p}`);
    expect(res.status, `${service} ${p}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as any;
  };
  const stockOf = async (product: string) => (await getJson('inventory', `/stock/${product}`)).available as number;

  beforeAll(async () => {
    // payments: no random failures, the first two charges of every order answered 503
    await up({ SHOP_PAYMENTS_FAILURE_RATE: '0', SHOP_PAYMENTS_FAIL_FIRST: '2' });
    await readEndpoints();
  }, 120_000);

  afterAll(async () => {
    await run(['down'], { cwd: dir }).catch(() => {});
    try {
      const { pid } = daemon();
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // no daemon
    }
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('places an order: stock reserved, payment charged once after two 503s, order created', async () => {
    expect(await stockOf('grinder')).toBe(10);
    const { code, summary, detail } = await placeOrder({ productId: 'grinder', quantity: 2, customer: 'ada' });
    expect(summary.status, JSON.stringify(summary)).toBe('completed');
    expect(code).toBe(0);
    expect(detail.output).toMatchObject({ status: 'placed', orderId: summary.id, total: 278, customer: 'ada', paymentId: expect.any(String) });

    expect(await stockOf('grinder')).toBe(8);
    expect(await getJson('inventory', `/reservations/${detail.output.reservation}`)).toMatchObject({ status: 'held' });

    const payments = await getJson('payments', '/payments');
    const charges = payments.payments.filter((p: any) => p.orderId === summary.id);
    expect(charges).toEqual([expect.objectContaining({ paymentId: detail.output.paymentId, amount: 278 })]);
    expect(payments.requests[summary.id]).toEqual({ requests: 3, busy: 2 });

    // the charge ran three times (two faults, then the answer); the order was created once
    const charge = detail.tasks.filter((t: any) => t.name === 'charge');
    expect(charge.map((t: any) => t.status)).toEqual(['faulted', 'faulted', 'completed']);
    const created = detail.tasks.filter((t: any) => t.name === 'createOrder');
    expect(created).toEqual([expect.objectContaining({ status: 'completed', output: expect.objectContaining({ id: summary.id, reservation: detail.output.reservation, paymentId: detail.output.paymentId }) })]);
    expect(detail.tasks.some((t: any) => t.name === 'release')).toBe(false);
  }, 60_000);

  it('releases the reservation when the payment keeps failing, and faults with payment-failed', async () => {
    // payments restarted by `up` with every charge answered 503
    await up({ SHOP_PAYMENTS_FAILURE_RATE: '1', SHOP_PAYMENTS_FAIL_FIRST: '0' });
    await readEndpoints();
    const before = await stockOf('kettle');
    const { code, summary, detail } = await placeOrder({ productId: 'kettle', quantity: 3 });
    expect(summary.status, JSON.stringify(summary)).toBe('faulted');
    expect(code).toBe(1);
    expect(summary.error).toMatchObject({ type: PAYMENT_FAILED, status: 402, title: 'Payment failed' });
    expect(summary.error.detail).toMatch(/reservation r-\d+ released/);

    // the compensation ran: the reservation is released, the stock is back
    const reservation = (detail.context as any).reservation as string;
    expect(reservation).toMatch(/^r-\d+$/);
    expect(await getJson('inventory', `/reservations/${reservation}`)).toMatchObject({ status: 'released' });
    expect(await stockOf('kettle')).toBe(before);

    // five attempts (four retries), nothing charged, no order
    const payments = await getJson('payments', '/payments');
    expect(payments.payments.filter((p: any) => p.orderId === summary.id)).toEqual([]);
    expect(payments.requests[summary.id]).toEqual({ requests: 5, busy: 5 });
    expect(detail.tasks.filter((t: any) => t.name === 'charge').map((t: any) => t.status)).toEqual(['faulted', 'faulted', 'faulted', 'faulted', 'faulted']);
    expect(detail.tasks.find((t: any) => t.name === 'release')).toMatchObject({ status: 'completed' });
    expect(detail.tasks.some((t: any) => t.name === 'createOrder')).toBe(false);
  }, 90_000);
});
