// JSON Schemas of the API. Shared ones carry an `$id`, are registered once with
// `app.addSchema` and appear under `components.schemas` in the OpenAPI document.
import { ErrorSchema, LogLineSchema } from './common.js';
import { OperationEventSchema, OperationInfoSchema } from './operation.js';
import { AlertRuleSpecSchema, HealthSpecSchema, ServiceSpecSchema, StackSpecSchema } from './spec.js';
import { InstanceInfoSchema, ServiceStatusSchema, StackStatusSchema } from './status.js';

export * from './common.js';
export * from './operation.js';
export * from './spec.js';
export * from './status.js';
export * from './registry.js';
export { Ref, StringEnum } from './helpers.js';

export const sharedSchemas = [
  ErrorSchema,
  LogLineSchema,
  HealthSpecSchema,
  ServiceSpecSchema,
  AlertRuleSpecSchema,
  StackSpecSchema,
  InstanceInfoSchema,
  ServiceStatusSchema,
  StackStatusSchema,
  OperationEventSchema,
  OperationInfoSchema,
];
