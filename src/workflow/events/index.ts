// Events: the CloudEvents bus that `emit` publishes into and `listen` waits on, the HTTP binding
// for `POST /api/v1/events`, and the consumption strategies shared by `listen` and `schedule.on`.
export type { CloudEvent, EventBus, PublishedEvent } from './types.js';
export { createEventBus, type EventBusOptions, type MemoryEventBus } from './event-bus.js';
export { parseHttpCloudEvent, isJsonMediaType, type HttpHeaders } from './http-binding.js';
export { validateCloudEvent, completeCloudEvent, isRfc3339, EVENT_VALIDATION_CODE } from './validate-event.js';
export { EventConsumption, literalMatches, deepEqual, type ConsumptionState, type Offer, type StrategyEvaluator } from './consumption.js';
