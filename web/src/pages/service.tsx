// One service: its state, instances (pid, port, state, health, restarts, uptime, CPU, memory,
// QoS score with its terms), charts, the live log tail, and the actions an operator may take.

import { useLayoutEffect } from 'preact/hooks';
import type { Scores, Service } from '../api/types';
import { Badge, ErrorNotice, HealthBar, Notice, Panel, SkeletonRows } from '../components/bits';
import { LogTail } from '../components/log-tail';
import { ServiceActions } from '../components/service-actions';
import { ServiceCharts } from '../components/service-charts';
import { bytes, cpu, DASH, duration, percent, rate, seconds } from '../lib/format';
import { perfRendered } from '../lib/perf';
import { useApi } from '../lib/use-api';
import { canAct, useSession } from '../state/session';
import { useStack } from '../state/stack';

const TERMS = ['latency', 'success', 'load', 'health'] as const;
const TERM_LABEL = { latency: 'lat', success: 'ok', load: 'load', health: 'hc' } as const;

function Terms({ terms, weights }: { terms: Scores['instances'][number]['terms']; weights: Scores['weights'] }) {
  return (
    <span class="terms">
      {TERMS.map((t) => (
        <span key={t} title={`${t}: ${terms[t].toFixed(2)} × weight ${weights[t].toFixed(2)}`}>
          {TERM_LABEL[t]}
          <span class="num">{terms[t].toFixed(2)}</span>
        </span>
      ))}
    </span>
  );
}

function Header({ s }: { s: Service }) {
  return (
    <div class="service-head">
      <div class="kv">
        <Badge state={s.state} />
        <span>
          <strong class="num" data-testid="ready">
            {s.ready}/{s.desired}
          </strong>{' '}
          ready
        </span>
        <HealthBar value={s.health} />
        <span class="muted">
          revision <code>{s.revision.slice(0, 12)}</code>
        </span>
        {s.endpoint && (
          <span class="muted">
            endpoint <code>{s.endpoint}</code>
          </span>
        )}
        {s.clusterUrl && (
          <span class="muted">
            in the cluster <code>{s.clusterUrl}</code>
          </span>
        )}
        {Object.keys(s.dependsOn).length > 0 && (
          <span class="muted">
            depends on{' '}
            {Object.keys(s.dependsOn).map((d, i) => (
              <span key={d}>
                {i > 0 && ', '}
                <a href={`/services/${encodeURIComponent(d)}`}>{d}</a>
              </span>
            ))}
          </span>
        )}
      </div>
      {s.message && <Notice tone={s.state === 'failed' ? 'bad' : 'warn'}>{s.message}</Notice>}
    </div>
  );
}

export default function ServicePage({ name }: { name: string }) {
  const live = useStack();
  const session = useSession();
  useLayoutEffect(() => perfRendered(), [live.version]);
  const scores = useApi<Scores>(`/api/v1/registry/services/${encodeURIComponent(name)}/scores`, undefined, { everyMs: 5000 });
  const service = live.stack?.services.find((s) => s.name === name);
  const instances = live.instancesByService.get(name) ?? [];
  const figures = new Map((live.topByService.get(name)?.instances ?? []).map((i) => [i.instance, i]));
  const scored = new Map((scores.data?.instances ?? []).map((i) => [i.id, i]));
  const now = Date.now();

  if (live.loaded && !service) {
    return (
      <div class="page">
        <h1>{name}</h1>
        <Notice tone="warn">
          {live.stack ? `The stack ${live.stack.name} has no service named ${name}.` : 'No stack is applied.'} <a href="/">Back to the overview</a>.
        </Notice>
      </div>
    );
  }

  const t = live.topByService.get(name);
  return (
    <div class="page">
      <div class="page-head">
        <h1>{name}</h1>
        {service && canAct(session) && <ServiceActions service={service} key={name} />}
      </div>
      {service ? <Header s={service} /> : <div class="service-head placeholder" />}

      <Panel
        title="Instances"
        id="instances"
        actions={
          <span class="muted small">
            {rate(t?.requestsPerSecond)} requests · {percent(t?.errorRatio, 1)} errors · p99 {seconds(t?.p99Seconds)}
          </span>
        }
      >
        <div class="table-wrap">
          <table class="table instances-table">
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col" class="num">PID</th>
                <th scope="col" class="num">Port</th>
                <th scope="col">State</th>
                <th scope="col">Health</th>
                <th scope="col" class="num">Restarts</th>
                <th scope="col" class="num">Uptime</th>
                <th scope="col" class="num">CPU</th>
                <th scope="col" class="num">Memory</th>
                <th scope="col" class="num">QoS</th>
                <th scope="col">Terms</th>
              </tr>
            </thead>
            <tbody>
              {!live.loaded ? (
                <SkeletonRows rows={2} cols={11} />
              ) : instances.length === 0 ? (
                <tr>
                  <td colSpan={11} class="muted">
                    {service?.stopped ? 'Stopped: no instance runs.' : 'No instance yet.'}
                  </td>
                </tr>
              ) : (
                instances.map((i) => {
                  const f = figures.get(i.id);
                  const q = scored.get(i.id);
                  return (
                    <tr key={i.id} data-instance={i.id}>
                      <th scope="row">
                        <code>{i.id}</code>
                        {i.message && <div class="muted small">{i.message}</div>}
                      </th>
                      <td class="num" data-col="pid">{i.pid ?? DASH}</td>
                      <td class="num">{i.port || DASH}</td>
                      <td>
                        <Badge state={i.state} />
                      </td>
                      <td>
                        <Badge state={i.health} />
                      </td>
                      <td class="num">{i.restarts}</td>
                      <td class="num">{i.startedAt && i.state === 'running' ? duration(now - i.startedAt) : DASH}</td>
                      <td class="num">{cpu(f?.cpuPercent)}</td>
                      <td class="num">{bytes(f?.memoryBytes)}</td>
                      <td class="num">{q ? q.score.toFixed(2) : DASH}</td>
                      <td>{q && scores.data ? <Terms terms={q.terms} weights={scores.data.weights} /> : DASH}</td>
                    </tr>
                  );
                })
              )}
            </tbody>
          </table>
        </div>
        {scores.error && scores.error.status !== 404 && <ErrorNotice error={scores.error} what="QoS scores" />}
      </Panel>

      <Panel title="Charts" id="charts">
        <ServiceCharts service={name} />
      </Panel>

      <Panel title="Log" id="log">
        <LogTail service={name} key={name} />
      </Panel>
    </div>
  );
}
