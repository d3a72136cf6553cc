// Spec durations (dsl-reference "Duration"): an ISO 8601 string (`PT1S`, `P1DT2H30M`) or a
// mapping of days/hours/minutes/seconds/milliseconds. Converted to milliseconds.

import { ErrorTypes, WorkflowError } from '../errors.js';

const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export function durationMs(value: unknown, instance: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const m = ISO.exec(value.trim());
    if (m && value.trim() !== 'P' && !/T$/i.test(value.trim())) {
      const [w, d, h, min, s] = m.slice(1).map((x) => (x ? Number(x) : 0));
      return Math.round((((w * 7 + d) * 24 + h) * 60 + min) * 60_000 + s * 1000);
    }
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const n = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : 0);
    return (((n('days') * 24 + n('hours')) * 60 + n('minutes')) * 60 + n('seconds')) * 1000 + n('milliseconds');
  }
  throw new WorkflowError({
    type: ErrorTypes.configuration,
    status: 400,
    title: 'Invalid duration',
    detail: `${JSON.stringify(value)} is not a duration (write an ISO 8601 duration such as PT30S, or { seconds: 30 }).`,
    instance,
  });
}
