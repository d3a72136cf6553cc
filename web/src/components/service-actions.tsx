// Acting on a service: rolling restart, scale, stop, start. Each asks for confirmation, then
// follows the operation's progress until it succeeds or fails (the result stays on the page).
// Offered only to operator and admin sessions; the API refuses others anyway.

import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/http';
import type { Operation, Service } from '../api/types';
import { ErrorNotice } from './bits';
import { ConfirmDialog } from './confirm';
import { OperationProgress } from './operation';

type Action = 'restart' | 'scale' | 'stop' | 'start';

const TEXT: Record<Action, { title: string; label: string; danger?: boolean }> = {
  restart: { title: 'Restart', label: 'Restart' },
  scale: { title: 'Scale', label: 'Scale' },
  stop: { title: 'Stop', label: 'Stop', danger: true },
  start: { title: 'Start', label: 'Start' },
};

export function ServiceActions({ service }: { service: Service }) {
  const [dialog, setDialog] = useState<Action>();
  const [replicas, setReplicas] = useState(String(service.replicas));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [op, setOp] = useState<Operation>();
  const running = op !== undefined && !op.done && busy;

  const run = async (action: Action) => {
    setBusy(true);
    setError(undefined);
    const path = `/api/v1/services/${encodeURIComponent(service.name)}/${action}`;
    try {
      const started =
        action === 'scale' ? await api<Operation>('PUT', path, { body: { replicas: Number(replicas) } }) : await api<Operation>('POST', path);
      setOp(started);
      setDialog(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'TUTTI_E_INTERNAL', String(err)));
      setBusy(false);
      setDialog(undefined);
    }
  };

  const n = Number(replicas);
  const validReplicas = Number.isInteger(n) && n >= 0 && n <= 1000;
  return (
    <div class="service-actions">
      <div class="btn-row" role="group" aria-label={`actions on ${service.name}`}>
        <button class="btn" type="button" disabled={busy || service.stopped} onClick={() => setDialog('restart')}>
          Restart
        </button>
        <button class="btn" type="button" disabled={busy} onClick={() => setDialog('scale')}>
          Scale…
        </button>
        {service.stopped ? (
          <button class="btn" type="button" disabled={busy} onClick={() => setDialog('start')}>
            Start
          </button>
        ) : (
          <button class="btn btn-danger-outline" type="button" disabled={busy} onClick={() => setDialog('stop')}>
            Stop
          </button>
        )}
      </div>
      {dialog && (
        <ConfirmDialog
          title={`${TEXT[dialog].title} ${service.name}`}
          confirmLabel={dialog === 'scale' ? `Scale to ${validReplicas ? n : '…'}` : TEXT[dialog].label}
          danger={TEXT[dialog].danger}
          busy={busy || (dialog === 'scale' && !validReplicas)}
          onConfirm={() => void run(dialog)}
          onCancel={() => setDialog(undefined)}
        >
          {dialog === 'restart' && <p>Every instance of {service.name} is replaced, one at a time, each new one health-checked before the old one stops: no downtime.</p>}
          {dialog === 'stop' && <p>Every instance of {service.name} stops and stays stopped until you start it again. Services that depend on it lose it.</p>}
          {dialog === 'start' && <p>{service.name} starts again with {service.replicas} instance{service.replicas === 1 ? '' : 's'}.</p>}
          {dialog === 'scale' && (
            <p>
              <label for="replicas">Instances of {service.name}</label>
              <input
                id="replicas"
                name="replicas"
                type="number"
                min="0"
                max="1000"
                step="1"
                value={replicas}
                onInput={(e) => setReplicas((e.target as HTMLInputElement).value)}
                aria-invalid={!validReplicas}
              />
              <span class="muted small"> now {service.replicas}</span>
            </p>
          )}
        </ConfirmDialog>
      )}
      {error && <ErrorNotice error={error} what="The action was refused" />}
      {op && <OperationProgress op={op} key={op.id} onDone={() => setBusy(false)} />}
      {running && <span class="sr-only">operation in progress</span>}
    </div>
  );
}
