import { describe, expect, it } from 'vitest';
import { serviceHealth, stackHealth } from './stack-health.js';

describe('serviceHealth', () => {
  it.each([
    [{ importance: 1, replicas: 2, ready: 1 }, 0.5],
    [{ importance: 1, replicas: 2, ready: 2 }, 1],
    [{ importance: 1, replicas: 2, ready: 3 }, 1],          // surge instance during a rollout
    [{ importance: 1, replicas: 1, ready: 1, stopped: true }, 0],
    [{ importance: 1, replicas: 1, ready: 0, completed: true }, 1],
    [{ importance: 1, replicas: 0, ready: 0 }, undefined],
  ])('%o -> %s', (input, expected) => {
    expect(serviceHealth(input)).toBe(expected);
  });
});

describe('stackHealth', () => {
  it('weights each service by importance (hand-computed)', () => {
    // (2·1 + 1·0.5 + 1·0) / (2 + 1 + 1) = 2.5 / 4
    const score = stackHealth([
      { importance: 2, replicas: 2, ready: 2 },
      { importance: 1, replicas: 2, ready: 1 },
      { importance: 1, replicas: 1, ready: 0 },
    ]);
    expect(score).toBeCloseTo(0.625, 10);
  });

  it('ignores services of zero importance or scaled to zero', () => {
    expect(stackHealth([
      { importance: 0, replicas: 1, ready: 0 },
      { importance: 3, replicas: 0, ready: 0 },
      { importance: 1, replicas: 1, ready: 1 },
    ])).toBe(1);
  });

  it('is 1 for an empty stack and 0 when nothing is ready', () => {
    expect(stackHealth([])).toBe(1);
    expect(stackHealth([{ importance: 1, replicas: 3, ready: 0 }])).toBe(0);
  });
});
