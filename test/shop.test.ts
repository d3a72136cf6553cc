// The README's demo: examples/shop comes up healthy and answers through its gateway.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers/tutti.js';

describe('examples/shop', () => {
  // a copy, so the test never leaves state in the checkout
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tutti-shop-')), 'shop');
  cpSync(path.join(ROOT, 'examples', 'shop'), dir, { recursive: true, filter: (src) => !src.includes('.tutti') });
  afterAll(async () => {
    await run(['down'], { cwd: dir }).catch(() => {});
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('comes up with every service ready and serves an order end to end', async () => {
    const up = await run(['up', dir], { cwd: os.tmpdir() });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const ps = JSON.parse((await run(['ps', '--json'], { cwd: dir })).stdout);
    expect(ps.health).toBe(1);
    expect(ps.services.map((s: any) => s.state).every((s: string) => s === 'running')).toBe(true);
    const gateway = ps.services.find((s: any) => s.name === 'gateway');
    const catalog = await fetch(`${gateway.endpoint}/api/catalog`);
    expect(catalog.status).toBe(200);
    const order = await fetch(`${gateway.endpoint}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ id: 'espresso', qty: 2 }] }),
    });
    expect(order.status, await order.clone().text()).toBeLessThan(300);
  });
});
