import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRuleSpec } from '../core/index.js';
import { createMonitorControl, seriesRetentionMs, withMonitor, type MonitorControl } from './monitor-control.js';
import { testStackSpec } from './test-app.js';
import { TestOrchestrator } from './test-orchestrator.js';

const logger = pino({ level: 'silent' });
const rule: AlertRuleSpec = { name: 'Down', when: 'tutti_service_ready_instances < 1', forMs: 0, labels: {}, annotations: {}, notify: [] };

let control: MonitorControl | undefined;
afterEach(async () => {
  await control?.close();
  control = undefined;
});

describe('createMonitorControl', () => {
  it('samples an applied stack without alert rules, and stops on down', async () => {
    const orchestrator = new TestOrchestrator();
    control = createMonitorControl({ orchestrator, events: { add: async () => {} }, logger, intervalMs: 3_600_000, retentionMs: 600_000 });
    const wrapped = withMonitor(orchestrator, control);
    expect(control.monitor()).toBeUndefined();
    await wrapped.apply(testStackSpec());
    const monitor = control.monitor()!;
    expect(monitor).toBeDefined();
    expect(monitor.store.options.retentionMs).toBe(600_000);
    await monitor.tick();
    expect(monitor.series({ metric: 'tutti_instance_up', startMs: 0, endMs: Date.now() + 1 })).toHaveLength(3);
    expect(monitor.alerts().rules).toEqual([]);
    await wrapped.down();
    expect(control.monitor()).toBeUndefined();
  });

  it('counts requests recorded before the monitor module has loaded', async () => {
    const orchestrator = new TestOrchestrator();
    await orchestrator.apply(testStackSpec());
    control = createMonitorControl({ orchestrator, events: { add: async () => {} }, logger, intervalMs: 3_600_000 });
    for (let i = 0; i < 3; i++) control.record({ service: 'orders', instance: 'orders-1', status: 500, durationSeconds: 0.1 });
    const body = (await control.metrics.scrape()).body;
    expect(body).toMatch(/^tutti_endpoint_request_errors_total\{service="orders",instance="orders-1"\} 3$/m);
  });

  it('still takes rules alone (the daemon\'s start-up call), sampling an adopted stack', async () => {
    const orchestrator = new TestOrchestrator();
    await orchestrator.apply(testStackSpec());
    control = createMonitorControl({ orchestrator, events: { add: async () => {} }, logger, intervalMs: 3_600_000 });
    await control.setRules(undefined);
    expect(control.monitor()).toBeDefined();
    await control.setRules([rule]);
    expect(control.monitor()!.alerts().rules.map((r) => r.name)).toEqual(['Down']);
  });
});

describe('seriesRetentionMs', () => {
  it.each([
    ['2h', 7_200_000], ['90m', 5_400_000], ['600000', 600_000], ['30s', undefined], ['soon', undefined], ['', undefined],
  ])('TUTTI_SERIES_RETENTION=%s → %s', (value, ms) => {
    expect(seriesRetentionMs({ TUTTI_SERIES_RETENTION: value })).toBe(ms);
  });
});
