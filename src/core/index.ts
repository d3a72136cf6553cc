// The pure domain layer: manifest types and loader, durations, errors, scoring. No I/O
// except the manifest loader's reading of the files a manifest names.
export * from './errors.js';
export * from './duration.js';
export * from './size.js';
export * from './spec.js';
export * from './stack-health.js';
export * from './manifest/index.js';
