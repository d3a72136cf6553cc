// The argument and result shapes of the Prober contract (src/core/spec.ts), named once so each
// probe kind's file can say what it takes without repeating the inline types.

import type { Prober } from '../../core/index.js';

export type ProbeTarget = Parameters<Prober['probe']>[1];
export type ProbeResult = Awaited<ReturnType<Prober['probe']>>;
