// Errors, log lines and the small daemon answers.

import { Type } from '@sinclair/typebox';
import { ErrorCodes, type LogLine, type TuttiErrorJSON } from '../../core/index.js';
import { StringEnum, type Same } from './helpers.js';

export const ErrorSchema = Type.Object(
  {
    code: StringEnum(Object.keys(ErrorCodes) as (keyof typeof ErrorCodes)[]),
    message: Type.String({ description: 'one sentence saying what went wrong' }),
    hint: Type.Optional(Type.String({ description: 'what to do about it' })),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Error' },
);

export const LogLineSchema = Type.Object(
  {
    time: Type.Number({ description: 'ms since epoch' }),
    service: Type.String(),
    instance: Type.String(),
    stream: StringEnum(['stdout', 'stderr'] as const),
    text: Type.String({ description: 'the line as the instance wrote it' }),
    level: Type.Optional(StringEnum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, { description: 'parsed from a JSON line (pino, bunyan, winston)' })),
    message: Type.Optional(Type.String({ description: 'a JSON line\'s msg (pino, bunyan) or message (winston)' })),
  },
  { $id: 'LogLine' },
);

export const VersionSchema = Type.Object({
  version: Type.String({ description: 'version of tutti running the control plane' }),
  api: Type.Literal('v1'),
  node: Type.String(),
  runtime: Type.Optional(Type.Object(
    {
      name: Type.Union([Type.Literal('process'), Type.Literal('kubernetes')]),
      context: Type.Optional(Type.String({ description: 'kubeconfig context (kubernetes; absent: the kubeconfig\'s current one)' })),
      namespace: Type.Optional(Type.String({ description: 'namespace the services run in (kubernetes)' })),
    },
    { description: 'where this control plane runs the stack\'s services' },
  )),
});

export const HealthzSchema = Type.Object({ status: Type.Literal('ok') });

export const ShutdownBodySchema = Type.Object(
  { stopStack: Type.Optional(Type.Boolean({ default: false, description: 'stop every service before exiting' })) },
  { additionalProperties: false, description: 'optional: a request without a body means {}' },
);

export const ShutdownReplySchema = Type.Object({ accepted: Type.Literal(true), stopStack: Type.Boolean() });

const _error: Same<typeof ErrorSchema.static, TuttiErrorJSON> = true;
const _line: Same<typeof LogLineSchema.static, LogLine> = true;
void [_error, _line];

