// Starting a run: a form built from the workflow's input schema (or a JSON editor), then
// POST /api/v1/workflows/{name}/runs and on to the run's page.

import { useState } from 'preact/hooks';
import { ApiError, post } from '../api/http';
import type { RunSummary, WorkflowDocument } from '../api/types';
import { fieldsToInput, inputFields, inputSchema, sampleInput } from '../lib/run-input';
import { navigate, href } from '../router';
import { ConfirmDialog } from './confirm';

export function RunDialog({ workflow, onClose }: { workflow: WorkflowDocument; onClose: () => void }) {
  const schema = inputSchema(workflow.document);
  const fields = inputFields(schema);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries((fields ?? []).map((f) => [f.name, f.default === undefined ? (f.enum ? String(f.enum[0]) : '') : String(f.default)])),
  );
  const [text, setText] = useState(() => JSON.stringify(sampleInput(schema), null, 2));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const start = async () => {
    let input: unknown;
    try {
      input = fields ? fieldsToInput(fields, values) : JSON.parse(text || '{}');
    } catch (err) {
      setError(fields ? (err as Error).message : `the input is not JSON: ${(err as Error).message}`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await post<{ run: RunSummary }>(`/api/v1/workflows/${encodeURIComponent(workflow.name)}/runs`, { input, version: workflow.version });
      onClose();
      navigate(href.run(r.run.id));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message}${err.hint ? ` — ${err.hint}` : ''}` : String(err));
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog title={`Run ${workflow.name} ${workflow.version}`} confirmLabel="Start run" busy={busy} onConfirm={() => void start()} onCancel={onClose}>
      {fields ? (
        fields.length === 0 ? (
          <p>This workflow takes no input.</p>
        ) : (
          <div class="form-grid">
            {fields.map((f) => (
              <label key={f.name}>
                <span>
                  {f.name}
                  {f.required && <span aria-label="required"> *</span>}
                </span>
                {f.enum ? (
                  <select value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: (e.target as HTMLSelectElement).value })}>
                    {f.enum.map((v) => (
                      <option key={String(v)} value={String(v)}>
                        {String(v)}
                      </option>
                    ))}
                  </select>
                ) : f.type === 'boolean' ? (
                  <select value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: (e.target as HTMLSelectElement).value })}>
                    <option value="">–</option>
                    <option value="true">true</option>
                    <option value="false">false</option>
                  </select>
                ) : (
                  <input
                    name={f.name}
                    type={f.type === 'string' ? 'text' : 'number'}
                    step={f.type === 'integer' ? '1' : 'any'}
                    required={f.required}
                    value={values[f.name]}
                    onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
                  />
                )}
                {f.description && <span class="muted small">{f.description}</span>}
              </label>
            ))}
          </div>
        )
      ) : (
        <label class="block">
          Input (JSON)
          <textarea name="input" rows={8} spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </label>
      )}
      {error && (
        <p class="notice tone-bad" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
