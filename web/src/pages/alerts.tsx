// Alerts: every rule with its expression, state and current alerts (live), and the history of
// alert state changes from the event history.

import type { StackEvent } from '../api/types';
import { Badge, ErrorNotice, Notice, Panel, SkeletonRows } from '../components/bits';
import { ago, dateTime, duration } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useStack } from '../state/stack';

export default function AlertsPage() {
  const live = useStack();
  const history = useApi<{ events: StackEvent[] }>('/api/v1/stack/events', { kind: 'alert.', limit: 200 });
  const alerts = live.alerts;
  // the stored history, then what arrived live since
  const stored = history.data?.events ?? [];
  const lastId = stored.length ? stored[stored.length - 1].id : 0;
  const changes = [...stored, ...live.events.filter((e) => e.kind.startsWith('alert.') && e.id > lastId)].reverse();

  return (
    <div class="page">
      <h1>Alerts</h1>
      <Panel title="Rules" id="rules" actions={alerts && alerts.intervalMs > 0 ? <span class="muted small">evaluated every {duration(alerts.intervalMs)}</span> : undefined}>
        {alerts && alerts.rules.length === 0 ? (
          <Notice>This stack has no alert rules. Add them under <code>alerts:</code> in tutti.yaml (docs/monitoring.md).</Notice>
        ) : (
          <div class="table-wrap">
            <table class="table rules-table">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">State</th>
                  <th scope="col">When</th>
                  <th scope="col" class="num">For</th>
                  <th scope="col">Alerts</th>
                  <th scope="col">Last evaluated</th>
                </tr>
              </thead>
              <tbody>
                {!alerts ? (
                  <SkeletonRows rows={2} cols={6} />
                ) : (
                  alerts.rules.map((r) => (
                    <tr key={r.name} data-rule={r.name}>
                      <th scope="row">
                        {r.name}
                        {Object.keys(r.labels).length > 0 && (
                          <div class="muted small">
                            {Object.entries(r.labels)
                              .map(([k, v]) => `${k}=${v}`)
                              .join(' ')}
                          </div>
                        )}
                      </th>
                      <td>
                        <Badge state={r.state} />
                      </td>
                      <td>
                        <code class="expr">{r.when}</code>
                        {r.lastError && <div class="tone-text-bad small">{r.lastError}</div>}
                      </td>
                      <td class="num">{duration(r.forMs)}</td>
                      <td>
                        {r.alerts.length === 0 ? (
                          <span class="muted">none</span>
                        ) : (
                          <ul class="plain">
                            {r.alerts.map((a) => (
                              <li key={a.fingerprint}>
                                <Badge state={a.state} /> {a.annotations.summary ?? Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ')}{' '}
                                <span class="muted small">
                                  value {Number.isFinite(a.value) ? +a.value.toFixed(4) : a.value}, since {ago(a.firedAt ?? a.activeAt)}
                                </span>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td class="muted small">{ago(r.lastEvaluation)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel title="History" id="history">
        {history.error ? (
          <ErrorNotice error={history.error} what="The alert history is not available" />
        ) : !history.data ? (
          <div class="placeholder" />
        ) : changes.length === 0 ? (
          <Notice>No alert has changed state yet.</Notice>
        ) : (
          <ol class="events">
            {changes.map((e) => (
              <li key={e.id}>
                <span class="muted num">{dateTime(e.time)}</span>
                <Badge state={e.kind.replace('alert.', '')} />
                <span class="event-msg">{e.message}</span>
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </div>
  );
}
