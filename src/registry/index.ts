// The registry layer's public door. For now: the health prober that runtimes use to decide
// whether an instance is ready.
export { createProber, httpProbe, tcpProbe, execProbe } from './probes/index.js';
export type { ProbeResult, ProbeTarget } from './probes/index.js';
