// `register()`: a service started outside tutti announces itself with a TTL check and keeps it
// passing with heartbeats every ttl/3. When the control plane answers a heartbeat with 404 (it
// removed the instance after a long outage, or lost it), the SDK registers it again under the
// same id. Deregisters on deregister() and when the process ends. Its timer never keeps a
// process alive.

import { isTuttiError, parseDuration, TuttiError, type Duration } from '../../core/index.js';
import type { CheckStatus, HeartbeatReport, RegisterInput, RegistryInstance } from '../api-types.js';
import type { TuttiClient } from '../client.js';
import { onProcessExit } from './exit-hooks.js';

export interface RegisterOptions {
  service: string;
  port: number;
  /** where other services reach this instance; default 127.0.0.1 */
  address?: string;
  tags?: string[];
  meta?: Record<string, string>;
  /** the instance turns critical when no heartbeat came for this long; default '10s' */
  ttl?: Duration;
  /** removed by the control plane after being critical this long (its default: 1m) */
  deregisterAfter?: Duration;
  /** default: `<service>-<random>`, chosen by the control plane */
  id?: string;
  /** deregister on SIGINT, SIGTERM and when the event loop runs dry; default true */
  deregisterOnExit?: boolean;
  /** a heartbeat or re-registration failed (they are retried on the next beat); default: one
   *  process warning per outage */
  onError?: (err: unknown) => void;
}

export interface Registration {
  readonly id: string;
  readonly service: string;
  /** the instance as the control plane last answered */
  readonly instance: RegistryInstance;
  /** Reports this status (and output) with every heartbeat from now on, starting with one sent now. */
  setStatus(status: CheckStatus, output?: string): Promise<void>;
  /** Stops the heartbeats and removes the instance (an instance already gone is fine). */
  deregister(): Promise<void>;
}

export const DEFAULT_TTL = '10s';
const DEFAULT_ADDRESS = '127.0.0.1';

function durationMs(value: Duration, field: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `register(): ${field} ${JSON.stringify(value)} is not a positive duration`, {
      hint: "write it like '10s', '500ms' or a number of milliseconds",
    });
  }
  return ms;
}

/** Options compiled into the request the control plane takes (durations in ms). */
export function registerInput(opts: RegisterOptions): { input: RegisterInput; ttlMs: number } {
  if (!opts.service) throw new TuttiError('TUTTI_E_BAD_REQUEST', 'register(): service is required', { hint: "register({ service: 'orders', port: 8080 })" });
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `register(): port ${String(opts.port)} is not a port number (1-65535)`, {
      hint: 'pass the port this instance listens on',
    });
  }
  const ttlMs = durationMs(opts.ttl ?? DEFAULT_TTL, 'ttl');
  const check: RegisterInput['check'] = { ttl: ttlMs };
  if (opts.deregisterAfter !== undefined) check.deregister_critical_after = durationMs(opts.deregisterAfter, 'deregisterAfter');
  const input: RegisterInput = { service: opts.service, address: opts.address ?? DEFAULT_ADDRESS, port: opts.port, check };
  if (opts.id) input.id = opts.id;
  if (opts.tags) input.tags = opts.tags;
  if (opts.meta) input.meta = opts.meta;
  return { input, ttlMs };
}

function warnOncePerOutage(service: string): (err: unknown) => void {
  return (err) => {
    const message = err instanceof Error ? err.message : String(err);
    process.emitWarning(`tutti: keeping the registration of ${service} alive failed: ${message}`, { code: 'TUTTI_HEARTBEAT' });
  };
}

export async function startRegistration(api: TuttiClient, opts: RegisterOptions): Promise<Registration> {
  const { input, ttlMs } = registerInput(opts);
  let instance = await api.registerInstance(input);
  // re-registrations keep the id the control plane chose
  input.id = instance.id;
  const intervalMs = Math.max(1, Math.floor(ttlMs / 3));
  const onError = opts.onError ?? warnOncePerOutage(opts.service);
  let report: HeartbeatReport = {};
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let ending: Promise<void> | undefined;

  const failed = (err: unknown) => {
    // the default handler warns once per outage; a handler of the caller's hears every failure
    if (!failing || opts.onError) onError(err);
    failing = true;
  };

  const beat = async () => {
    timer = undefined;
    try {
      instance = await api.heartbeat(input.id!, report);
      failing = false;
    } catch (err) {
      if (stopped) return;
      if (isTuttiError(err) && err.code === 'TUTTI_E_NOT_FOUND') {
        try {
          instance = await api.registerInstance(input);
          if (Object.keys(report).length > 0) instance = await api.heartbeat(input.id!, report);
          failing = false;
        } catch (again) {
          failed(again);
        }
      } else {
        failed(err);
      }
    } finally {
      schedule();
    }
  };

  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => void beat(), intervalMs);
    timer.unref();
  };

  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  const deregister = (): Promise<void> => {
    ending ??= (async () => {
      stop();
      cancelExitHook();
      try {
        await api.deregisterInstance(input.id!);
      } catch (err) {
        if (!(isTuttiError(err) && err.code === 'TUTTI_E_NOT_FOUND')) throw err;
      }
    })();
    return ending;
  };

  const cancelExitHook = opts.deregisterOnExit === false ? () => {} : onProcessExit(deregister);
  schedule();

  return {
    id: instance.id,
    service: instance.service,
    get instance() {
      return instance;
    },
    async setStatus(status, output) {
      report = output === undefined ? { status } : { status, output };
      instance = await api.heartbeat(input.id!, report);
    },
    deregister,
  };
}
