// Operations (apply, restart, scale, stop, start, down) and their progress events.

import { Type } from '@sinclair/typebox';
import type { OperationEvent, OperationInfo } from '../../orchestrator/types.js';
import { Ref, StringEnum, type Same } from './helpers.js';

export const OperationEventSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'position in the operation, from 1; the SSE event id' }),
    time: Type.Number(),
    service: Type.Optional(Type.String()),
    phase: StringEnum(['unchanged', 'starting', 'ready', 'stopping', 'done', 'failed', 'waiting', 'removed', 'complete'] as const),
    message: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    logs: Type.Optional(Type.Array(Type.String(), { description: "on 'failed': the instance's last log lines" })),
    ok: Type.Optional(Type.Boolean({ description: "on 'complete' only" })),
  },
  { $id: 'OperationEvent' },
);

export const OperationInfoSchema = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(['apply', 'restart', 'scale', 'stop', 'start', 'down'] as const),
    startedAt: Type.Number(),
    done: Type.Boolean(),
    ok: Type.Optional(Type.Boolean()),
    events: Type.Array(Ref(OperationEventSchema)),
  },
  { $id: 'OperationInfo', description: 'follow it at /api/v1/operations/{id}/events' },
);

const _event: Same<typeof OperationEventSchema.static, OperationEvent> = true;
const _info: Same<typeof OperationInfoSchema.static, OperationInfo> = true;
void [_event, _info];
