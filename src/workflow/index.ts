// The Serverless Workflow DSL 1.0 engine: definitions (load, validate, compile), runtime
// expressions (a real jq in WebAssembly), the runner (startRun / runWorkflow: tasks, durable
// timers, resume by replay, cancel and suspend) and the run journal that persists its state.
// The daemon should import this door lazily: the schema compiler and the jq instance cost memory
// only once a workflow is loaded or evaluated.
export * from './definition/index.js';
export * from './expressions/index.js';
export * from './errors.js';
export * from './engine/index.js';
export * from './durable/index.js';
export type { CloudEvent, EventBus, PublishedEvent } from './events/types.js';
