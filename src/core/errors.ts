// Every failure a user can see: a stable code, one clear sentence, an optional hint and the
// HTTP status the control plane answers with. Serialisable, so it crosses the API unchanged.

export const ErrorCodes = {
  TUTTI_E_MANIFEST_NOT_FOUND: 404,
  TUTTI_E_MANIFEST_SYNTAX: 400,
  TUTTI_E_MANIFEST_INVALID: 400,
  TUTTI_E_DEPENDENCY_CYCLE: 400,
  TUTTI_E_COMMAND_NOT_FOUND: 400,
  TUTTI_E_PORT_IN_USE: 409,
  TUTTI_E_NO_STACK: 404,
  TUTTI_E_UNKNOWN_SERVICE: 404,
  TUTTI_E_BAD_REQUEST: 400,
  TUTTI_E_UNAUTHORIZED: 401,
  TUTTI_E_FORBIDDEN: 403,
  TUTTI_E_CONFLICT: 409,
  TUTTI_E_NOT_FOUND: 404,
  TUTTI_E_DEPLOY_FAILED: 500,
  TUTTI_E_DAEMON_UNREACHABLE: 503,
  TUTTI_E_DAEMON_START: 500,
  TUTTI_E_INTERNAL: 500,
  TUTTI_E_UNAVAILABLE: 503,
  TUTTI_E_TOO_MANY_REQUESTS: 429,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface TuttiErrorJSON {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: unknown;
}

export class TuttiError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TuttiError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  get status(): number {
    return ErrorCodes[this.code];
  }

  toJSON(): TuttiErrorJSON {
    const out: TuttiErrorJSON = { code: this.code, message: this.message };
    if (this.hint) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }

  static fromJSON(json: TuttiErrorJSON): TuttiError {
    const code = json.code in ErrorCodes ? json.code : 'TUTTI_E_INTERNAL';
    return new TuttiError(code, json.message, { hint: json.hint, details: json.details });
  }
}

export function isTuttiError(e: unknown): e is TuttiError {
  return e instanceof TuttiError;
}
