// Deregistration when the process ends. One set of handlers serves every live registration:
// - SIGINT/SIGTERM: deregister (bounded by a deadline), then, when no one else listens for the
//   signal, re-raise it so the process still dies of it as it would have without us (adding a
//   listener otherwise cancels Node's default exit);
// - beforeExit (the event loop ran dry): deregister once; the requests keep the loop alive just
//   long enough, then the process exits as it was about to.
// Handlers are installed with the first registration and removed with the last.

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof SIGNALS)[number];

/** How long deregistration may delay a signal's exit. */
export const EXIT_DEREGISTER_DEADLINE_MS = 2_000;

const cleanups = new Set<() => Promise<unknown>>();
let installed = false;

function runAll(): Promise<void> {
  const pending = [...cleanups].map((c) => c().catch(() => {}));
  cleanups.clear();
  uninstall();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((r) => (timer = setTimeout(r, EXIT_DEREGISTER_DEADLINE_MS)));
  return Promise.race([Promise.all(pending).then(() => {}), deadline]).finally(() => clearTimeout(timer));
}

function onSignal(signal: Signal): void {
  // listeners other than ours decide for themselves (a graceful shutdown of the app)
  const othersListen = process.listenerCount(signal) > 1;
  void runAll().then(() => {
    if (!othersListen && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

const handlers: Record<Signal, () => void> = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
const onBeforeExit = () => void runAll();

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, handlers[s]);
  process.on('beforeExit', onBeforeExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, handlers[s]);
  process.off('beforeExit', onBeforeExit);
}

/** Runs `cleanup` when the process ends; the returned function cancels that. */
export function onProcessExit(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
