import { describe, expect, it } from 'vitest';
import { checkDependencyNames, dependencyEntries, dependencyOrder, findCycle, type DependencyEntry } from './dependencies.js';
import { parseYaml } from './yaml-source.js';

describe('dependencyEntries', () => {
  it.each([
    ['a list means started', ['db', 'cache'], { db: 'started', cache: 'started' }],
    ['a map of conditions', { db: 'healthy', migrate: 'completed', cache: 'started' }, { db: 'healthy', migrate: 'completed', cache: 'started' }],
    ['the long form, condition defaulting to started', { db: { condition: 'healthy' }, cache: {} }, { db: 'healthy', cache: 'started' }],
    [
      "compose's condition names",
      { a: 'service_started', b: 'service_healthy', c: { condition: 'service_completed_successfully' } },
      { a: 'started', b: 'healthy', c: 'completed' },
    ],
    ['nothing', undefined, {}],
  ])('%s', (_what, raw, conditions) => {
    const entries = dependencyEntries('api', raw as never);
    expect(Object.fromEntries(entries.map((e) => [e.name, e.condition]))).toEqual(conditions);
  });

  it('remembers where each entry is written', () => {
    expect(dependencyEntries('api', ['db'])[0]).toMatchObject({ path: ['services', 'api', 'depends_on', 0], key: false });
    expect(dependencyEntries('api', { db: 'healthy' })[0]).toMatchObject({ path: ['services', 'api', 'depends_on', 'db'], key: true });
  });
});

describe('checkDependencyNames', () => {
  const text = [
    'services:',
    '  inventory: {}',
    '  orders:',
    '    depends_on: [inventroy, orders]',
    '  gateway:',
    '    depends_on: { zzz: healthy }',
    '',
  ].join('\n');
  const src = parseYaml(text, '/p/tutti.yaml');
  const entries: Record<string, DependencyEntry[]> = {
    inventory: [],
    orders: dependencyEntries('orders', ['inventroy', 'orders']),
    gateway: dependencyEntries('gateway', { zzz: 'healthy' }),
  };

  it('names unknown services (suggesting a near one) and self-dependencies, where they are written', () => {
    expect(checkDependencyNames(entries, src).map((p) => p.message)).toEqual([
      'service "orders" depends on "inventroy", which is not a service of this stack (tutti.yaml:4:18); did you mean "inventory"?',
      'service "orders" depends on itself (tutti.yaml:4:29)',
      'service "gateway" depends on "zzz", which is not a service of this stack (tutti.yaml:6:19)',
    ]);
  });
});

describe('findCycle', () => {
  it.each<[string, Record<string, string[]>, string[] | undefined]>([
    ['no cycle', { a: [], b: ['a'], c: ['a', 'b'] }, undefined],
    ['two services', { orders: ['inventory'], inventory: ['orders'] }, ['orders', 'inventory', 'orders']],
    ['starts at the earliest declared service', { c: [], a: ['b'], b: ['c', 'a'] }, ['a', 'b', 'a']],
    ['a longer cycle behind a clean prefix', { x: ['a'], a: ['b'], b: ['c'], c: ['a'] }, ['a', 'b', 'c', 'a']],
    ['self', { a: ['a'] }, ['a', 'a']],
    ['unknown names are ignored', { a: ['ghost'] }, undefined],
  ])('%s', (_what, graph, cycle) => {
    expect(findCycle(graph)).toEqual(cycle);
  });
});

describe('dependencyOrder', () => {
  it.each<[string, Record<string, string[]>, string[]]>([
    ['manifest order when independent', { c: [], a: [], b: [] }, ['c', 'a', 'b']],
    ['dependencies first', { orders: ['inventory'], inventory: ['catalog'], catalog: [] }, ['catalog', 'inventory', 'orders']],
    ['otherwise stable', { gateway: ['orders'], orders: ['inventory'], inventory: [], catalog: [] }, ['inventory', 'orders', 'gateway', 'catalog']],
    ['diamond', { top: ['l', 'r'], l: ['base'], r: ['base'], base: [] }, ['base', 'l', 'r', 'top']],
  ])('%s', (_what, graph, order) => {
    expect(dependencyOrder(graph)).toEqual(order);
  });
});
