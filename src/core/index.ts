// The pure domain layer: compiled stack types, durations, sizes, errors, scoring. No I/O.
// The manifest loader has its own door, `core/manifest/index.js` (it reads the files a
// manifest names, and its schema compiler is heavy): the command line loads it, the
// daemon never does, which keeps the daemon's memory down.
export * from './errors.js';
export * from './duration.js';
export * from './size.js';
export * from './spec.js';
export * from './stack-health.js';
export * from './natural-order.js';
export * from './canonical-json.js';
export * from './qos/index.js';
