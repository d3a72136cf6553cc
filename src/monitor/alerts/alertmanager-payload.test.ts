import { describe, expect, it } from 'vitest';
import { alertmanagerV2Alerts, encodeGoJson, formatGoTime, groupKey, webhookPayload } from './alertmanager-payload.js';
import { fingerprint } from './label-set.js';
import type { Alert } from './types.js';

const t = (iso: string): number => Date.parse(iso);
const runbook = 'http://x/runbook?a=1&b=<2>';

function alert(job: string, extra: Partial<Alert>): Alert {
  return {
    rule: 'ServiceDown',
    state: 'firing',
    labels: { severity: 'page', job, alertname: 'ServiceDown' },
    annotations: { summary: `${job} is down`, runbook },
    fingerprint: job === 'api' ? '8b2c239bf5bbed6e' : '1562d6710878fde0',
    activeAt: t('2024-05-01T10:00:00Z'),
    value: 0,
    generatorURL: 'http://127.0.0.1:7070/alerts',
    ...extra,
  };
}

const api = alert('api', { firedAt: t('2024-05-01T10:00:30Z') });
const web = alert('web', { firedAt: t('2024-05-01T10:01:00.250Z') });
const input = { receiver: 'team-x.webhook', groupLabels: { alertname: 'ServiceDown' }, externalURL: 'http://127.0.0.1:7070' };

describe('webhookPayload', () => {
  it('uses fixtures whose fingerprints are the real ones', () => {
    expect([fingerprint(api.labels), fingerprint(web.labels)]).toEqual([api.fingerprint, web.fingerprint]);
  });

  it('builds the version 4 body of a firing group, byte for byte as Alertmanager encodes it', () => {
    // Given in reverse: Alertmanager sorts a group's alerts (here by job).
    const payload = webhookPayload({ ...input, alerts: [web, api] });
    expect(payload).toEqual({
      receiver: 'team-x\\.webhook',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'ServiceDown', job: 'api', severity: 'page' },
          annotations: { runbook, summary: 'api is down' },
          startsAt: '2024-05-01T10:00:30Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://127.0.0.1:7070/alerts',
          fingerprint: '8b2c239bf5bbed6e',
        },
        {
          status: 'firing',
          labels: { alertname: 'ServiceDown', job: 'web', severity: 'page' },
          annotations: { runbook, summary: 'web is down' },
          startsAt: '2024-05-01T10:01:00.25Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://127.0.0.1:7070/alerts',
          fingerprint: '1562d6710878fde0',
        },
      ],
      groupLabels: { alertname: 'ServiceDown' },
      commonLabels: { alertname: 'ServiceDown', severity: 'page' },
      commonAnnotations: { runbook },
      externalURL: 'http://127.0.0.1:7070',
      version: '4',
      groupKey: '{}:{alertname="ServiceDown"}',
      truncatedAlerts: 0,
    });
    expect(encodeGoJson(payload)).toBe(
      String.raw`{"receiver":"team-x\\.webhook","status":"firing","alerts":[` +
        String.raw`{"status":"firing","labels":{"alertname":"ServiceDown","job":"api","severity":"page"},"annotations":{"runbook":"http://x/runbook?a=1\u0026b=\u003c2\u003e","summary":"api is down"},"startsAt":"2024-05-01T10:00:30Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1:7070/alerts","fingerprint":"8b2c239bf5bbed6e"},` +
        String.raw`{"status":"firing","labels":{"alertname":"ServiceDown","job":"web","severity":"page"},"annotations":{"runbook":"http://x/runbook?a=1\u0026b=\u003c2\u003e","summary":"web is down"},"startsAt":"2024-05-01T10:01:00.25Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1:7070/alerts","fingerprint":"1562d6710878fde0"}],` +
        String.raw`"groupLabels":{"alertname":"ServiceDown"},"commonLabels":{"alertname":"ServiceDown","severity":"page"},"commonAnnotations":{"runbook":"http://x/runbook?a=1\u0026b=\u003c2\u003e"},"externalURL":"http://127.0.0.1:7070","version":"4","groupKey":"{}:{alertname=\"ServiceDown\"}","truncatedAlerts":0}` +
        '\n',
    );
  });

  it('builds the body of a resolved group', () => {
    const resolvedAt = t('2024-05-01T10:05:00Z');
    const payload = webhookPayload({
      ...input,
      groupKey: '{}/{team="x"}:{alertname="ServiceDown"}',
      truncatedAlerts: 3,
      alerts: [
        { ...api, state: 'resolved', resolvedAt, annotations: { summary: 'api is down' } },
        { ...web, state: 'resolved', resolvedAt, annotations: { summary: 'web is down' } },
      ],
    });
    expect(encodeGoJson(payload)).toBe(
      String.raw`{"receiver":"team-x\\.webhook","status":"resolved","alerts":[` +
        String.raw`{"status":"resolved","labels":{"alertname":"ServiceDown","job":"api","severity":"page"},"annotations":{"summary":"api is down"},"startsAt":"2024-05-01T10:00:30Z","endsAt":"2024-05-01T10:05:00Z","generatorURL":"http://127.0.0.1:7070/alerts","fingerprint":"8b2c239bf5bbed6e"},` +
        String.raw`{"status":"resolved","labels":{"alertname":"ServiceDown","job":"web","severity":"page"},"annotations":{"summary":"web is down"},"startsAt":"2024-05-01T10:01:00.25Z","endsAt":"2024-05-01T10:05:00Z","generatorURL":"http://127.0.0.1:7070/alerts","fingerprint":"1562d6710878fde0"}],` +
        String.raw`"groupLabels":{"alertname":"ServiceDown"},"commonLabels":{"alertname":"ServiceDown","severity":"page"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:7070","version":"4","groupKey":"{}/{team=\"x\"}:{alertname=\"ServiceDown\"}","truncatedAlerts":3}` +
        '\n',
    );
  });

  it('is firing while any alert fires, and skips pending alerts', () => {
    const payload = webhookPayload({
      receiver: 'r',
      alerts: [{ ...api, state: 'resolved', resolvedAt: t('2024-05-01T10:05:00Z') }, web, { ...web, state: 'pending', fingerprint: 'p' }],
    });
    expect(payload.status).toBe('firing');
    expect(payload.alerts.map((a) => a.status)).toEqual(['resolved', 'firing']);
    expect(payload.groupKey).toBe('{}:{}');
    expect(payload.externalURL).toBe('');
  });
});

describe('helpers', () => {
  it('formats times as Go marshals time.Time', () => {
    expect(formatGoTime(t('2024-05-01T10:00:00.000Z'))).toBe('2024-05-01T10:00:00Z');
    expect(formatGoTime(t('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.12Z');
    expect(formatGoTime(t('2024-05-01T10:00:00.007Z'))).toBe('2024-05-01T10:00:00.007Z');
  });

  it('derives the group key of the root route', () => {
    expect(groupKey({ service: 'api', alertname: 'A' })).toBe('{}:{alertname="A", service="api"}');
  });

  it('escapes what Go escapes and ends with a newline', () => {
    expect(encodeGoJson({ s: '<a & b>\u2028\n\t"' })).toBe('{"s":"\\u003ca \\u0026 b\\u003e\\u2028\\n\\t\\""}\n');
  });
});

describe('alertmanagerV2Alerts', () => {
  it('posts firing alerts valid until the given time, resolved ones ending when they resolved', () => {
    const resolvedAt = t('2024-05-01T10:05:00Z');
    const body = alertmanagerV2Alerts(
      [api, { ...web, state: 'resolved', resolvedAt, generatorURL: undefined }, { ...web, state: 'pending' }],
      { validUntilMs: t('2024-05-01T10:04:00Z') },
    );
    expect(body).toEqual([
      {
        labels: { alertname: 'ServiceDown', job: 'api', severity: 'page' },
        annotations: { runbook, summary: 'api is down' },
        startsAt: '2024-05-01T10:00:30.000Z',
        endsAt: '2024-05-01T10:04:00.000Z',
        generatorURL: 'http://127.0.0.1:7070/alerts',
      },
      {
        labels: { alertname: 'ServiceDown', job: 'web', severity: 'page' },
        annotations: { runbook, summary: 'web is down' },
        startsAt: '2024-05-01T10:01:00.250Z',
        endsAt: '2024-05-01T10:05:00.000Z',
      },
    ]);
  });

  it('leaves endsAt to Alertmanager when no validity is given', () => {
    expect(alertmanagerV2Alerts([api])[0]).not.toHaveProperty('endsAt');
  });
});
