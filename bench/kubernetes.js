// Benchmark `kubernetes`: a generated stack of N services (Deployment + Service each, a Secret
// for every fifth) applied to the local test API server (../shared/k8s/start-apiserver.sh, a
// real kube-apiserver 1.20), by tutti's kubernetes driver and, side by side, by
// `kubectl apply --server-side -f` on `tutti render kubernetes`'s output. Pods never run on that server: a child process
// plays the deployment controller for both, writing every Deployment's status as complete as
// soon as it sees it. Each figure is the median of --runs cold applies into fresh namespaces:
//   1. time until every object exists and every rollout is complete (tutti: from connecting,
//      informers synced, to the last service's `done`; kubectl: from starting `kubectl apply` until
//      it has exited and the controller has marked the last rollout — and, for information, with
//      `kubectl wait --for=condition=Available` after it, as a user would wait);
//   2. API requests made (tutti: counted at its client; kubectl: its -v=6 request log, separate run);
//   3. a re-apply with nothing changed: time and write requests (target: none for tutti).
// Usage: node bench/kubernetes.js [--services 50] [--runs 3]
//   KUBECTL=/path/to/kubectl picks the kubectl (default: `kubectl` on the PATH; Debian's
//   kubernetes-client package matches the server's 1.20).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { run } from './lib/exec.js';
import { fmtMs, median, printComparison } from './lib/table.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const START = join(REPO, '..', 'shared', 'k8s', 'start-apiserver.sh');
const TARGET = 1.2;
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const { clientNode } = await import('../dist/runtime/kubernetes/client-node.js');

// ---- the stand-in deployment controller (a child process, so it never shares an event loop with tutti)

if (process.argv[2] === '--play-controller') {
  await playController(process.argv[3], process.argv[4], Number(process.argv[5]));
} else {
  await main();
}

async function playController(kubeconfig, namespace, expected) {
  const k8s = await clientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const done = new Map(); // name → generation marked complete
  let told = false;
  const mark = async (d) => {
    const name = d.metadata.name;
    const generation = d.metadata.generation;
    if (done.get(name) === generation || d.status?.observedGeneration === generation) return;
    done.set(name, generation);
    const n = d.spec.replicas ?? 1;
    const now = new Date().toISOString();
    await apps.patchNamespacedDeploymentStatus({
      name, namespace, body: { status: {
        observedGeneration: generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'marked by the benchmark', lastUpdateTime: now, lastTransitionTime: now },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'marked by the benchmark', lastUpdateTime: now, lastTransitionTime: now },
        ],
      } },
    }, merge).then(() => {
      // the moment every rollout is complete, on the wall clock the benchmark shares
      if (!told && done.size >= expected) {
        told = true;
        process.stdout.write(`complete ${Date.now()}\n`);
      }
    }, (err) => {
      done.delete(name);
      if (err.code !== 404) console.error(`controller: ${name}: ${err.message}`);
    });
  };
  const informer = new k8s.ListWatch(`/apis/apps/v1/namespaces/${namespace}/deployments`, new k8s.Watch(kc), () => apps.listNamespacedDeployment({ namespace }), false);
  informer.on('add', mark);
  informer.on('update', mark);
  informer.on('error', (err) => { console.error(`controller watch: ${err?.message ?? err}`); setTimeout(() => informer.start(), 200); });
  await informer.start();
  process.stdout.write('ready\n');
  // the bench holds this helper's stdin: when the bench ends (or dies), stdin closes and so does the helper
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function startController(kubeconfig, namespace, expected) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--play-controller', kubeconfig, namespace, String(expected)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let onComplete;
  const complete = new Promise((resolve) => (onComplete = resolve));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the stand-in controller exited with ${code}`)));
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('ready\n')) resolve({ complete, stop: () => { child.stdin.end(); child.kill(); } });
      const m = /complete (\d+)/.exec(buffer);
      if (m) onComplete(Number(m[1]));
    });
  });
}

// ---- the stack

function stackOf(n) {
  const health = { http: '/healthz', intervalMs: 2000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 };
  const services = {};
  const order = [];
  for (let i = 1; i <= n; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    order.push(name);
    services[name] = {
      name,
      command: [],
      image: `registry.example/bench/${name}:1.0.0`,
      cwd: '/srv',
      env: { LOG_LEVEL: 'info', FEATURE_FLAGS: 'a,b,c', ...(i % 5 === 0 && { DB_PASSWORD: `pw-${i}` }) },
      replicas: 2,
      port: 0,
      health,
      dependsOn: {},
      restart: 'always',
      backoff: { initialMs: 100, factor: 2, maxMs: 30_000, resetAfterMs: 30_000 },
      stopSignal: 'SIGTERM',
      stopGraceMs: 10_000,
      importance: 1,
      readyTimeoutMs: 60_000,
      logs: { maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
      protocol: 'http',
      revision: `rev-${name}`,
    };
  }
  return { name: 'bench', file: '/srv/tutti.yaml', dir: '/srv', services, order, runtime: 'kubernetes' };
}

// ---- the two tools

/** kubectl apply; done when it has exited and every rollout is complete (seen by the controller). */
async function kubectlApply(kubeconfig, namespace, file, { verbose = false, controller, wait = false } = {}) {
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const counts = { reads: 0, writes: 0, watches: 0 };
  const count = (text) => {
    for (const m of text.matchAll(/\] (GET|PATCH|POST|PUT|DELETE) https?:\/\/\S+/g)) {
      if (m[1] !== 'GET') counts.writes++;
      else if (/[?&]watch=true/.test(m[0])) counts.watches++;
      else counts.reads++;
    }
  };
  const started = Date.now();
  const apply = await run(KUBECTL, ['apply', '--server-side', '--field-manager=tutti-bench', '-f', file, ...(verbose ? ['-v=6'] : [])], { env });
  if (verbose) count(apply.output);
  const applied = Date.now();
  const complete = controller ? await controller.complete : applied;
  const ms = Math.max(applied, complete) - started;
  let withWait;
  if (wait) {
    // what a user would type to wait for the rollouts
    await run(KUBECTL, ['wait', '--for=condition=Available', 'deployment', '--all', '-n', namespace, '--timeout=120s'], { env });
    withWait = Date.now() - started;
  }
  return { ms, withWait, counts };
}

async function tuttiApply(k8s, kubeConfig, namespace, stack) {
  const started = performance.now();
  const runtime = await k8s.createKubernetesRuntime({ kubeConfig, namespace });
  const ready = performance.now();
  const applyAll = async () => {
    const results = await Promise.all(stack.order.map(async (name) => {
      const spec = stack.services[name];
      let last;
      for await (const p of runtime.apply({ spec, replicas: spec.replicas, env: { TUTTI_STACK: stack.name } }, AbortSignal.timeout(120_000))) last = p;
      return last;
    }));
    const failed = results.filter((p) => p?.phase !== 'done');
    if (failed.length > 0) throw new Error(`tutti: ${failed.length} services failed, e.g. ${failed[0]?.service}: ${failed[0]?.message}`);
  };
  await applyAll();
  const cold = { ms: performance.now() - started, connectMs: ready - started, counts: runtime.requests() };
  const before = runtime.requests();
  const t = performance.now();
  await applyAll();
  const after = runtime.requests();
  const again = { ms: performance.now() - t, writes: after.writes - before.writes, reads: after.reads - before.reads };
  await runtime.detach();
  return { cold, again };
}

// ---- the run

async function ensureServer() {
  if (process.env.TUTTI_K8S_KUBECONFIG) return process.env.TUTTI_K8S_KUBECONFIG;
  if (!existsSync(START)) return undefined;
  const { stdout } = await promisify(execFile)(START, ['start'], { timeout: 20 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split('\n').at(-1);
}

async function main() {
  const { values } = parseArgs({ options: { services: { type: 'string', default: '50' }, runs: { type: 'string', default: '3' } } });
  const n = Number(values.services);
  const runs = Number(values.runs);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('--services and --runs take whole numbers of 1 or more');

  const kubeconfig = await ensureServer();
  if (!kubeconfig) {
    console.log(`SKIP: no test API server (${START} is absent and TUTTI_K8S_KUBECONFIG is not set)`);
    return;
  }
  const kubectl = await run(KUBECTL, ['version', '--client', '--short'], {}).then((r) => r.output.trim().split('\n')[0], () => undefined)
    ?? await run(KUBECTL, ['version', '--client'], {}).then((r) => r.output.trim().split('\n')[0], () => undefined);
  if (!kubectl) {
    console.log(`SKIP: no kubectl (${KUBECTL}); install Debian's kubernetes-client or set KUBECTL`);
    return;
  }

  const k8s = await import('../dist/runtime/kubernetes/index.js');
  const client = await clientNode();
  const kc = new client.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(client.CoreV1Api);
  const stack = stackOf(n);
  const objects = k8s.renderStack(stack, { namespace: 'placeholder' }).length;
  console.log(`kubernetes: ${n} services (${objects} objects) onto kube-apiserver 1.20 at ${kc.getCurrentCluster().server}; ${kubectl} (${KUBECTL})`);
  console.log(`pods never run there: a stand-in controller marks each Deployment's rollout complete when it sees it; median of ${runs} cold applies\n`);

  const tmp = await mkdtemp(join(os.tmpdir(), 'tutti-bench-k8s-'));
  const namespaces = [];
  const gone = async (name) => {
    await core.deleteNamespace({ name }).catch(() => {});
    const end = Date.now() + 120_000;
    while (Date.now() < end) {
      if (!(await core.readNamespace({ name }).then(() => true, () => false))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const fresh = async (tool) => {
    const name = `bench-${tool}-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name } } });
    namespaces.push(name);
    const controller = await startController(kubeconfig, name, n);
    const file = join(tmp, `${name}.yaml`);
    await writeFile(file, k8s.toYamlDocuments(k8s.renderStack(stack, { namespace: name })));
    return { name, file, controller };
  };

  const result = { tutti: [], kubectl: [], kubectlWait: [], tuttiAgain: [], kubectlAgain: [] };
  let tuttiCounts;
  let tuttiAgainWrites;
  let kubectlCounts;
  let kubectlAgainCounts;
  try {
    // kubectl's discovery cache is warmed first, as on a machine where kubectl is in use
    await run(KUBECTL, ['get', 'namespaces'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    for (let i = 0; i < runs; i++) {
      for (const tool of i % 2 === 0 ? ['kubectl', 'tutti'] : ['tutti', 'kubectl']) {
        const ns = await fresh(tool);
        try {
          if (tool === 'kubectl') {
            const r = await kubectlApply(kubeconfig, ns.name, ns.file, { controller: ns.controller, wait: true });
            result.kubectl.push(r.ms);
            result.kubectlWait.push(r.withWait);
            result.kubectlAgain.push((await kubectlApply(kubeconfig, ns.name, ns.file)).ms);
          } else {
            const r = await tuttiApply(k8s, kc, ns.name, stack);
            result.tutti.push(r.cold.ms);
            result.tuttiAgain.push(r.again.ms);
            tuttiCounts = r.cold.counts;
            tuttiAgainWrites = r.again.writes;
          }
        } finally {
          ns.controller.stop();
          await gone(ns.name); // the test server has 254 service IPs: free them before the next run
        }
      }
    }
    // kubectl's requests, from its own log, in a run of their own (logging slows it down)
    const ns = await fresh('kubectl');
    try {
      kubectlCounts = (await kubectlApply(kubeconfig, ns.name, ns.file, { verbose: true, controller: ns.controller })).counts;
      kubectlAgainCounts = (await kubectlApply(kubeconfig, ns.name, ns.file, { verbose: true })).counts;
    } finally {
      ns.controller.stop();
    }
  } finally {
    await Promise.allSettled(namespaces.map((name) => core.deleteNamespace({ name })));
    await rm(tmp, { recursive: true, force: true });
  }

  printComparison([
    { label: `apply ${n} services, rollouts complete`, ours: median(result.tutti), base: median(result.kubectl), format: fmtMs, target: TARGET },
    { label: '(kubectl: apply, then kubectl wait)', ours: median(result.tutti), base: median(result.kubectlWait), format: fmtMs },
    { label: 'apply again, nothing changed', ours: median(result.tuttiAgain), base: median(result.kubectlAgain), format: fmtMs },
  ], { ours: 'tutti', base: 'kubectl' });
  const fmt = (c) => `${c.reads} reads, ${c.writes} writes, ${c.watches} watches`;
  console.log(`\nrequests, cold apply:   tutti ${fmt(tuttiCounts)}; kubectl ${fmt(kubectlCounts)}`);
  console.log(`requests, re-apply:     tutti ${tuttiAgainWrites} writes; kubectl ${kubectlAgainCounts.writes} writes`);
  console.log(`no-change re-apply makes no write request: ${tuttiAgainWrites === 0 ? 'PASS' : 'MISS'}`);
  console.log(`runs (ms): tutti ${result.tutti.map(Math.round).join(', ')}; kubectl ${result.kubectl.map(Math.round).join(', ')}`);
}
