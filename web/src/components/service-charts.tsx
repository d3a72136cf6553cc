// The service's charts over a chosen range, from /api/v1/series: CPU and memory per instance,
// requests per second by status class, p50/p99 latency from the endpoint's histogram, and
// errors per second. Refreshed every 15 s.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api/http';
import type { SeriesResult } from '../api/types';
import { bytes, cpu, rate, seconds } from '../lib/format';
import { align, quantileOverTime, rates, sumBy, type Point } from '../lib/series';
import { Chart } from './chart';

const RANGES = [
  { label: '15 min', start: '15m', step: '10s', ms: 15 * 60_000 },
  { label: '1 hour', start: '1h', step: '30s', ms: 3_600_000 },
];

const METRICS = {
  cpu: 'tutti_instance_cpu_seconds_total',
  memory: 'tutti_instance_resident_memory_bytes',
  requests: 'tutti_endpoint_requests_total',
  buckets: 'tutti_endpoint_request_duration_seconds_bucket',
  errors: 'tutti_endpoint_request_errors_total',
} as const;

type Raw = Partial<Record<keyof typeof METRICS, SeriesResult[]>>;

const short = (instance: string | undefined, service: string) => (instance ?? '?').replace(`${service}-`, '');

export function ServiceCharts({ service }: { service: string }) {
  const [range, setRange] = useState(RANGES[0]);
  const [raw, setRaw] = useState<Raw>({});
  const [tick, setTick] = useState(0);
  const [end, setEnd] = useState(() => Date.now());

  useEffect(() => {
    let live = true;
    for (const [key, metric] of Object.entries(METRICS) as Array<[keyof typeof METRICS, string]>) {
      get<{ series: SeriesResult[] }>('/api/v1/series', { metric, 'label.service': service, start: range.start, step: range.step }).then(
        (r) => live && setRaw((old) => ({ ...old, [key]: r.series })),
        () => live && setRaw((old) => ({ ...old, [key]: [] })),
      );
    }
    setEnd(Date.now());
    const timer = setTimeout(() => setTick((n) => n + 1), 15_000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [service, range, tick]);

  const charts = useMemo(() => {
    const byInstance = (l: Record<string, string>) => short(l.instance, service);
    const scale = (m: Map<string, Point[]>, k: number) => new Map([...m].map(([n, pts]) => [n, pts.map((p) => ({ t: p.t, v: p.v * k }))]));
    const q = (qq: number) => quantileOverTime(qq, raw.buckets ?? []).get('all') ?? [];
    return {
      cpu: align(scale(sumBy(raw.cpu ?? [], byInstance, rates), 100)),
      memory: align(sumBy(raw.memory ?? [], byInstance)),
      requests: align(sumBy(raw.requests ?? [], (l) => l.code ?? 'all', rates)),
      latency: align(new Map([['p50', q(0.5)], ['p99', q(0.99)]])),
      errors: align(sumBy(raw.errors ?? [], () => 'errors', rates)),
    };
  }, [raw, service]);

  return (
    <div>
      <div class="toolbar" role="group" aria-label="chart range">
        {RANGES.map((r) => (
          <button key={r.start} type="button" class={`btn btn-small ${r === range ? 'btn-selected' : ''}`} aria-pressed={r === range} onClick={() => setRange(r)}>
            {r.label}
          </button>
        ))}
      </div>
      <div class="charts">
        <Chart title="CPU (% of a core)" names={charts.cpu.names} data={charts.cpu.data} xRange={[(end - range.ms) / 1000, end / 1000]} format={(v) => cpu(v)} />
        <Chart title="Memory (resident)" names={charts.memory.names} data={charts.memory.data} xRange={[(end - range.ms) / 1000, end / 1000]} format={(v) => bytes(v)} />
        <Chart title="Requests by status" names={charts.requests.names} data={charts.requests.data} xRange={[(end - range.ms) / 1000, end / 1000]} format={(v) => rate(v)} />
        <Chart title="Latency" names={charts.latency.names} data={charts.latency.data} xRange={[(end - range.ms) / 1000, end / 1000]} format={(v) => seconds(v)} />
        <Chart title="Errors (5xx and unanswered)" names={charts.errors.names} data={charts.errors.data} xRange={[(end - range.ms) / 1000, end / 1000]} format={(v) => rate(v)} />
      </div>
    </div>
  );
}
