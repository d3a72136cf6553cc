// Overview: the stack-health score and its trend, every service with ready/desired instances,
// health, restarts, request rate, error rate and p99, the firing alerts and recent events, all
// kept current by the stack feed.

import { Component } from 'preact';
import { useEffect, useLayoutEffect } from 'preact/hooks';
import { get } from '../api/http';
import type { SeriesResult, Service, StackEvent, TopService } from '../api/types';
import { Badge, HealthBar, Notice, Panel, SkeletonRows, Stat } from '../components/bits';
import { Sparkline } from '../components/sparkline';
import { ago, clock, healthTone, percent, rate, seconds } from '../lib/format';
import { perfRendered } from '../lib/perf';
import { href } from '../router';
import { seedHealthTrend, useStack } from '../state/stack';

interface RowProps {
  s: Service;
  t: TopService | undefined;
  restarts: number;
}

/** What a row shows; a row whose figures did not change is not diffed again (100 rows per update). */
function rowKey({ s, t, restarts }: RowProps): string {
  return `${s.state}|${s.ready}|${s.desired}|${s.health}|${s.message ?? ''}|${restarts}|${t?.requestsPerSecond}|${t?.errorRatio}|${t?.p99Seconds}`;
}

class ServiceRow extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps): boolean {
    return rowKey(next) !== rowKey(this.props);
  }
  render() {
    return <ServiceRowView {...this.props} />;
  }
}

function ServiceRowView({ s, t, restarts }: RowProps) {
  return (
    <tr data-service={s.name}>
      <th scope="row">
        <a href={href.service(s.name)}>{s.name}</a>
      </th>
      <td>
        <Badge state={s.state} title={s.message} />
      </td>
      <td class="num" data-col="ready">
        {s.ready}/{s.desired}
      </td>
      <td>
        <HealthBar value={s.health} />
      </td>
      <td class="num">{restarts}</td>
      <td class="num">{rate(t?.requestsPerSecond)}</td>
      <td class={`num ${t?.errorRatio ? 'tone-text-bad' : ''}`}>{percent(t?.errorRatio, 1)}</td>
      <td class="num">{seconds(t?.p99Seconds)}</td>
    </tr>
  );
}

function EventList({ events, limit }: { events: StackEvent[]; limit: number }) {
  const shown = events.slice(-limit).reverse();
  if (shown.length === 0) return <Notice>No events yet: deploys, restarts, crashes and alert changes appear here.</Notice>;
  return (
    <ol class="events">
      {shown.map((e) => (
        <li key={e.id}>
          <span class="muted num" title={new Date(e.time).toISOString()}>
            {clock(e.time)}
          </span>
          <span class={`kind tone-${kindTone(e.kind)}`}>{e.kind}</span>
          {e.service && <a href={href.service(e.service)}>{e.service}</a>}
          <span class="event-msg">{e.message}</span>
        </li>
      ))}
    </ol>
  );
}

export function kindTone(kind: string) {
  if (/failed|exited|crash|firing|unhealthy/.test(kind)) return 'bad';
  if (/unready|pending|restart|stopp|backoff/.test(kind)) return 'warn';
  if (/resolved|ready|succeeded|started/.test(kind)) return 'ok';
  return 'idle';
}

export function OverviewPage() {
  const live = useStack();
  useLayoutEffect(() => perfRendered(), [live.version]);
  useEffect(() => {
    // the stored trend (one point per 30 s over the last hour); live statuses extend it
    get<{ series: SeriesResult[] }>('/api/v1/series', { metric: 'tutti_stack_health', start: '1h', step: '30s' }).then(
      (r) => seedHealthTrend((r.series[0]?.points ?? []).filter((p) => Number.isFinite(p.v)).map((p) => [p.t, p.v])),
      () => {},
    );
  }, []);

  const { stack, alerts } = live;
  const services = stack?.services ?? [];
  const readyServices = services.filter((s) => s.desired > 0 && s.ready >= s.desired).length;
  const firing = alerts?.rules.flatMap((r) => r.alerts.filter((a) => a.state === 'firing' || a.state === 'pending')) ?? [];
  const instances = stack?.instances ?? [];

  if (live.loaded && !stack) {
    return (
      <div class="page">
        <h1>Overview</h1>
        <Notice>No stack is applied to this control plane. Run <code>tutti up</code> in the project folder.</Notice>
      </div>
    );
  }

  return (
    <div class="page">
      <h1 class="sr-only">Overview</h1>
      <div class="stats">
        <Stat
          label="Stack health"
          value={<span data-testid="stack-health">{stack ? percent(stack.health) : '\u00a0'}</span>}
          tone={healthTone(stack?.health)}
          sub={<Sparkline points={live.healthTrend} label="stack health over the last hour" />}
        />
        <Stat label="Services ready" value={stack ? `${readyServices}/${services.length}` : '\u00a0'} sub={stack ? `applied ${ago(stack.appliedAt)}` : undefined} />
        <Stat label="Instances" value={stack ? `${instances.filter((i) => i.ready).length}/${instances.length}` : '\u00a0'} sub="ready / running" />
        <Stat
          label="Alerts"
          value={alerts ? String(firing.filter((a) => a.state === 'firing').length) : '\u00a0'}
          tone={firing.some((a) => a.state === 'firing') ? 'bad' : firing.length ? 'warn' : 'ok'}
          sub={alerts ? `${firing.filter((a) => a.state === 'pending').length} pending · ${alerts.rules.length} rules` : undefined}
        />
      </div>

      <Panel title="Services" id="services">
        <div class="table-wrap">
          <table class="table services-table">
            <colgroup>
              <col class="c-name" />
              <col class="c-state" />
              <col class="c-num" />
              <col class="c-health" />
              <col class="c-num" />
              <col class="c-num" />
              <col class="c-num" />
              <col class="c-num" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">State</th>
                <th scope="col" class="num">Ready</th>
                <th scope="col">Health</th>
                <th scope="col" class="num">Restarts</th>
                <th scope="col" class="num">Req/s</th>
                <th scope="col" class="num">Errors</th>
                <th scope="col" class="num">p99</th>
              </tr>
            </thead>
            <tbody>
              {stack
                ? services.map((s) => (
                    <ServiceRow key={s.name} s={s} t={live.topByService.get(s.name)} restarts={(live.instancesByService.get(s.name) ?? []).reduce((n, i) => n + i.restarts, 0)} />
                  ))
                : <SkeletonRows rows={4} cols={8} />}
            </tbody>
          </table>
        </div>
        {!live.top && stack && <p class="muted small">Request figures appear once the monitor has sampled the stable endpoints.</p>}
      </Panel>

      <div class="two-cols">
        <Panel title="Alerts" id="alerts" actions={<a href="/alerts">all rules</a>}>
          {!alerts ? (
            <div class="placeholder" />
          ) : alerts.rules.length === 0 ? (
            <Notice>This stack has no alert rules (add <code>alerts:</code> to tutti.yaml).</Notice>
          ) : firing.length === 0 ? (
            <Notice tone="ok">No alert is pending or firing.</Notice>
          ) : (
            <ul class="alert-list">
              {firing.map((a) => (
                <li key={a.fingerprint} data-alert={a.rule}>
                  <Badge state={a.state} /> <strong>{a.rule}</strong>{' '}
                  <span class="muted">{a.annotations.summary ?? Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')}</span>
                  <span class="muted small"> since {ago(a.firedAt ?? a.activeAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title="Recent events" id="events">
          {live.loaded ? <EventList events={live.events} limit={12} /> : <div class="placeholder" />}
        </Panel>
      </div>
    </div>
  );
}

