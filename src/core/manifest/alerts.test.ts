import { describe, expect, it } from 'vitest';
import { TuttiError } from '../errors.js';
import { parseManifest } from './parse-manifest.js';

const head = `name: shop
services:
  web: { command: node web.js }
`;

function load(alerts: string) {
  return parseManifest(head + alerts, { file: '/srv/shop/tutti.yaml', env: {} });
}

function problem(alerts: string): TuttiError {
  try {
    load(alerts);
  } catch (err) {
    expect(err).toBeInstanceOf(TuttiError);
    return err as TuttiError;
  }
  throw new Error('the manifest loaded');
}

describe('alert rules in the manifest', () => {
  it('compiles a rule with defaults and durations in ms', () => {
    const spec = load(`alerts:
  - name: WebDown
    when: tutti_service_ready_instances{service="web"} < 1
    for: 1m30s
    labels: { severity: page }
    annotations: { summary: "{{ $$labels.service }} is down ({{ $$value }})" }
    notify:
      - webhook: http://127.0.0.1:5001/hook
        repeat_interval: 1h
      - alertmanager: http://127.0.0.1:9093
        send_resolved: false
  - name: Unhealthy
    when: tutti_stack_health < 0.5
`);
    expect(spec.alerts).toEqual([
      {
        name: 'WebDown',
        when: 'tutti_service_ready_instances{service="web"} < 1',
        forMs: 90_000,
        labels: { severity: 'page' },
        annotations: { summary: '{{ $labels.service }} is down ({{ $value }})' },
        notify: [
          { kind: 'webhook', url: 'http://127.0.0.1:5001/hook', repeatIntervalMs: 3_600_000, sendResolved: true },
          { kind: 'alertmanager', url: 'http://127.0.0.1:9093', sendResolved: false },
        ],
      },
      { name: 'Unhealthy', when: 'tutti_stack_health < 0.5', forMs: 0, labels: {}, annotations: {}, notify: [] },
    ]);
  });

  it.each([
    // [case, alerts section, expected in the message]
    ['a malformed when names the manifest position and the column in the expression',
      'alerts:\n  - name: A\n    when: tutti_stack_health <\n',
      /"when" expression of alert "A" is not valid: .*at column 21.*\(tutti\.yaml:6:11\)/],
    ['an unknown function', 'alerts:\n  - name: A\n    when: frobnicate(tutti_stack_health)\n', /alert "A" is not valid.*column 1/],
    ['a bad template', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    annotations: { summary: "{{ humanize .Foo }}" }\n',
      /annotations\.summary in alert "A" is not valid.*tutti\.yaml:7:/],
    ['a target with both kinds', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    notify: [{ webhook: "http://a", alertmanager: "http://b" }]\n',
      /needs exactly one of webhook or alertmanager \(found both\)/],
    ['a target with neither', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    notify: [{ send_resolved: true }]\n',
      /needs exactly one of webhook or alertmanager \(found none\)/],
    ['a URL that is not http', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    notify: [{ webhook: "ftp://x" }]\n',
      /webhook URL "ftp:\/\/x", which is not an http\(s\) URL/],
    ['a missing when', 'alerts:\n  - name: A\n', /when/],
    ['a missing name', 'alerts:\n  - when: tutti_stack_health < 1\n', /name/],
    ['an unknown key', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    fr: 1s\n', /fr/],
    ['a bad duration', 'alerts:\n  - name: A\n    when: tutti_stack_health < 1\n    for: soon\n', /for/],
  ])('refuses %s', (_case, alerts, message) => {
    const err = problem(alerts);
    expect(err.code).toBe('TUTTI_E_MANIFEST_INVALID');
    expect(err.message).toMatch(message);
  });
});
