// What went wrong talking to the cluster, in one sentence and a hint, as a TuttiError:
// unreachable, credentials refused or expired, not allowed (RBAC or quota), namespace
// missing, a field owned by someone else (server-side apply conflict), or an object the API
// rejected. `action` says what tutti was doing ("apply Deployment orders").

import { TuttiError } from '../../core/index.js';

export interface ErrorContext {
  server: string;
  context: string;
  namespace: string;
  user?: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { kind?: string; name?: string; causes?: Array<{ reason?: string; type?: string; message?: string; field?: string }> };
}

/** The HTTP status of a failed call (client-node's ApiException, or a watch error), if any. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

function bodyOf(err: unknown): StatusBody {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body as StatusBody | undefined) ?? {};
}

/** The network-level reason (ECONNREFUSED, a certificate error, …) of a request that got no answer. */
function networkReason(err: unknown): string | undefined {
  let e = err as { code?: unknown; message?: string; cause?: unknown; errors?: unknown[] } | undefined;
  let deepest: string | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === 'string') return e.message && !e.message.includes(e.code) ? `${e.code} (${e.message})` : e.message ?? e.code;
    if (e.message && e.message !== 'fetch failed') deepest = e.message;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return deepest;
}

export function kubeError(err: unknown, action: string, ctx: ErrorContext): TuttiError {
  if (err instanceof TuttiError) return err;
  const status = statusOf(err);
  const where = `namespace ${ctx.namespace}`;
  if (status === undefined || status === 500 && !bodyOf(err).message) {
    const reason = networkReason(err) ?? (err as Error)?.message ?? String(err);
    return new TuttiError('TUTTI_E_UNAVAILABLE', `cannot reach the Kubernetes API at ${ctx.server} to ${action}: ${reason}`, {
      hint: `check that the cluster is running and that context ${ctx.context} points at it (\`kubectl cluster-info\`)`,
      cause: err,
    });
  }
  const body = bodyOf(err);
  const message = body.message ?? `HTTP ${status}`;
  switch (status) {
    case 401:
      return new TuttiError('TUTTI_E_UNAUTHORIZED', `the Kubernetes API at ${ctx.server} refused the credentials of context ${ctx.context} (401 Unauthorized) when tutti tried to ${action}; they may have expired`, {
        hint: `log in to the cluster again, or check user ${ctx.user ?? '(unknown)'} with \`kubectl config view --minify\``,
        cause: err,
      });
    case 403:
      if (/exceeded quota|quota/i.test(message)) {
        return new TuttiError('TUTTI_E_FORBIDDEN', `cannot ${action}: ${message}`, {
          hint: `raise the ResourceQuota of ${where}, or ask for fewer replicas or resources`,
          cause: err,
        });
      }
      return new TuttiError('TUTTI_E_FORBIDDEN', `not allowed to ${action} in ${where}: ${message}`, {
        hint: 'the user needs the permissions `tutti render control-plane` prints in its Role; ask a cluster admin, or pick another --namespace',
        cause: err,
      });
    case 404:
      if (body.details?.kind === 'namespaces' || /namespaces? "[^"]*" not found/.test(message)) {
        return new TuttiError('TUTTI_E_NOT_FOUND', `namespace ${ctx.namespace} does not exist (tried to ${action})`, {
          hint: `create it with \`kubectl create namespace ${ctx.namespace}\`, or pick another with --namespace`,
          cause: err,
        });
      }
      return new TuttiError('TUTTI_E_NOT_FOUND', `cannot ${action}: ${message}`, { cause: err });
    case 409: {
      const conflicts = (body.details?.causes ?? []).filter((c) => (c.reason ?? c.type) === 'FieldManagerConflict');
      if (conflicts.length > 0) {
        const fields = conflicts.map((c) => `${c.field ?? '?'} (${c.message ?? 'conflict'})`).join('; ');
        return new TuttiError('TUTTI_E_CONFLICT', `cannot ${action}: someone else changed fields tutti sets: ${fields}`, {
          hint: 'tutti does not silently undo changes made by others: revert them (or let tutti take the fields back with --force-conflicts)',
          details: { conflicts },
          cause: err,
        });
      }
      return new TuttiError('TUTTI_E_CONFLICT', `cannot ${action}: ${message}`, { hint: 'another client changed it at the same time; apply again', cause: err });
    }
    case 400:
    case 422:
      return new TuttiError('TUTTI_E_BAD_REQUEST', `the Kubernetes API rejected the request to ${action}: ${message}`, { cause: err });
    default:
      return new TuttiError('TUTTI_E_DEPLOY_FAILED', `cannot ${action}: ${message} (HTTP ${status})`, { cause: err });
  }
}
