// A copy of examples/shop brought up by the real `tutti up` (payments never failing, so a run
// of the workflow completes), with the one-time dashboard link `tutti up` printed.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, run } from '../helpers/tutti.js';

export interface Shop {
  dir: string;
  /** the link `tutti up` printed: /login?code=… on the daemon */
  loginUrl: string;
  /** the daemon's base URL */
  base: string;
  tutti(...args: string[]): ReturnType<typeof run>;
  close(): Promise<void>;
}

export async function startShop(): Promise<Shop> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tutti-dashboard-')), 'shop');
  cpSync(path.join(ROOT, 'examples', 'shop'), dir, { recursive: true, filter: (src) => !src.includes('.tutti') });
  const env = { SHOP_PAYMENTS_FAILURE_RATE: '0' };
  const tutti = (...args: string[]) => run(args, { cwd: dir, env, timeoutMs: 90_000 });
  const close = async () => {
    await tutti('down').catch(() => {});
    rmSync(path.dirname(dir), { recursive: true, force: true });
  };
  const up = await tutti('up');
  if (up.code !== 0) {
    await close();
    throw new Error(`tutti up failed (${up.code})\n${up.stdout}\n${up.stderr}`);
  }
  const loginUrl = /Dashboard: (http\S+)/.exec(up.stdout)?.[1];
  if (!loginUrl) {
    await close();
    throw new Error(`tutti up printed no dashboard link:\n${up.stdout}`);
  }
  return { dir, loginUrl, base: new URL(loginUrl).origin, tutti, close };
}
