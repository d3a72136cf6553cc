import { describe, expect, it } from 'vitest';
import { InterpolationError, interpolate, interpolateDocument } from './interpolate.js';
import { parseYaml } from './yaml-source.js';

const vars: Record<string, string> = { NAME: 'shop', EMPTY: '', PORT: '8080' };
const lookup = (name: string) => vars[name];

describe('interpolate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${NAME}', 'shop'],
    ['$NAME', 'shop'],
    ['$NAME-api', 'shop-api'],
    ['${NAME}_api', 'shop_api'],
    ['a ${NAME} b $PORT c', 'a shop b 8080 c'],
    ['${MISSING}', ''],
    ['$MISSING', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${NAME:-fallback}', 'shop'],
    ['${MISSING-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING:-}', ''],
    ['${MISSING:-a b:c}', 'a b:c'],
    ['${MISSING:-${NAME}}', 'shop'],
    ['${MISSING:-${ALSO_MISSING:-deep}}', 'deep'],
    ['${MISSING:-$$}', '$'],
    ['${NAME:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${MISSING+set}', ''],
    ['${NAME:?required}', 'shop'],
    ['${EMPTY?required}', ''],
    ['$$', '$'],
    ['$$NAME', '$NAME'],
    ['$${NAME}', '${NAME}'],
    ['cost: $$5', 'cost: $5'],
    ['echo $$HOME && $NAME', 'echo $HOME && shop'],
  ])('%s -> %s', (input, expected) => {
    expect(interpolate(input, lookup)).toBe(expected);
  });

  it.each([
    ['${MISSING:?set MISSING first}', 'required variable MISSING is missing a value: set MISSING first'],
    ['${EMPTY:?must not be empty}', 'required variable EMPTY is missing a value: must not be empty'],
    ['${MISSING?}', 'required variable MISSING is missing a value'],
    ['${MISSING:?needs ${NAME}}', 'required variable MISSING is missing a value: needs shop'],
  ])('%s fails: %s', (input, message) => {
    expect(() => interpolate(input, lookup)).toThrow(new InterpolationError(message));
  });

  it.each(['${NAME', '${}', '${1X}', '${NAME!}', '$1', 'costs 5$', '$ 5', '${NAME:-${X}'])('%s is an invalid format', (input) => {
    expect(() => interpolate(input, lookup)).toThrow(/invalid interpolation format.*write \$\$ for a literal \$/);
  });

  it('reports each unset variable it substitutes, but not those with a default', () => {
    const unset: string[] = [];
    interpolate('$A ${B} ${C:-x} ${D-y} ${NAME}', lookup, (n) => unset.push(n));
    expect(unset).toEqual(['A', 'B']);
  });
});

describe('interpolateDocument', () => {
  const text = [
    'name: ${NAME}',
    'services:',
    '  api:',
    '    command: node $ENTRY',
    '    env:',
    '      ${NAME}: $ENTRY',
    '      PORT: ${PORT}',
    '      N: 3',
    '    health: { exec: "${BAD" }',
    '',
  ].join('\n');

  it('substitutes values in place, never keys, and warns once per unset variable with its position', () => {
    const src = parseYaml(text.replace('"${BAD"', 'x'), '/p/tutti.yaml');
    const { problems, warnings } = interpolateDocument(src, lookup);
    expect(problems).toEqual([]);
    expect(src.doc.toJS()).toEqual({
      name: 'shop',
      services: { api: { command: 'node ', env: { '${NAME}': '', PORT: '8080', N: 3 }, health: { exec: 'x' } } },
    });
    expect(warnings).toEqual(['The "ENTRY" variable is not set; defaulting to a blank string (tutti.yaml:4:14, services.api.command)']);
  });

  it('collects errors with the path and position of the value', () => {
    const src = parseYaml(text, '/p/tutti.yaml');
    const { problems } = interpolateDocument(src, lookup);
    expect(problems).toEqual([
      {
        path: 'services.api.health.exec',
        line: 9,
        column: 21,
        message: 'services.api.health.exec: invalid interpolation format in "${BAD"; write $$ for a literal $ (tutti.yaml:9:21)',
      },
    ]);
  });
});
