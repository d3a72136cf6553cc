import { describe, expect, it } from 'vitest';
import { expandTemplate, formatGoFloat, templateError } from './alert-template.js';

describe('expandTemplate', () => {
  const data = { labels: { service: 'api', instance: 'api-1' }, value: 0.5 };
  const cases: Array<[string, string]> = [
    ['{{ $labels.service }} is down', 'api is down'],
    ['{{$labels.instance}}/{{.Labels.service}}', 'api-1/api'],
    ['{{ index $labels "service" }}', 'api'],
    ['value {{ $value }} / {{ .Value }}', 'value 0.5 / 0.5'],
    ['[{{ $labels.missing }}]', '[]'],
    ['a  {{- $labels.service -}}  b', 'aapib'],
    ['{{/* a comment */}}x', 'x'],
    ['{{ $value | humanize }}', '{{ $value | humanize }}'],
    ['no actions', 'no actions'],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(want)}`, () => {
      expect(expandTemplate(text, data)).toBe(want);
    });
  }
});

describe('templateError', () => {
  it('accepts the supported subset', () => {
    expect(templateError('{{ $labels.a }} {{ $value }} {{ index .Labels "b" }}')).toBeUndefined();
  });
  it('names the first unsupported action and where it is', () => {
    expect(templateError('ok {{ $value }} then {{ printf "%.2f" $value }}')).toMatch(/\{\{ printf "%.2f" \$value \}\} at offset 21/);
  });
});

describe('formatGoFloat (Go fmt %v)', () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [0, '0'],
    [-0, '-0'],
    [0.5, '0.5'],
    [-2.5, '-2.5'],
    [100, '100'],
    [999999, '999999'],
    [123456.5, '123456.5'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, want] of cases) {
    it(`${value} → ${want}`, () => expect(formatGoFloat(value)).toBe(want));
  }
});
