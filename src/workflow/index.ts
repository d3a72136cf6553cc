// The Serverless Workflow DSL 1.0 engine. So far: definitions (load, validate, compile) and
// runtime expressions (a real jq in WebAssembly). The durable runner, tasks, timers, events and
// schedules build on these. The daemon should import this door lazily: the schema compiler and
// the jq instance cost memory only once a workflow is loaded or evaluated.
export * from './definition/index.js';
export * from './expressions/index.js';
export * from './errors.js';
export * from './engine/index.js';
export * from './durable/index.js';
