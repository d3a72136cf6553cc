// What the API shows of deployed definitions, from the store's records alone (no compiling):
// one summary per name with its versions newest first, and one version's source and document.
// The origin of each version (manifest or API) is kept beside the store's definitions, in its
// meta table, since the definitions table has no column for it.

import { TuttiError } from '../../core/index.js';
import type { MetaRepository, WorkflowDefinitionRecord, WorkflowRepository } from '../../store/index.js';
import type { DefinitionOrigin, WorkflowDetail, WorkflowSummary } from './types.js';

type Origins = Pick<MetaRepository, 'get' | 'set'>;

const originKey = (name: string, version: string) => `workflow.origin:${name}@${version}`;

export async function originOf(meta: Origins | undefined, name: string, version: string): Promise<DefinitionOrigin> {
  const v = await meta?.get(originKey(name, version));
  return v === 'manifest' ? 'manifest' : 'api';
}

export async function rememberOrigin(meta: Origins | undefined, name: string, version: string, origin: DefinitionOrigin): Promise<void> {
  await meta?.set(originKey(name, version), origin);
}

const infoOf = (record: WorkflowDefinitionRecord): Record<string, unknown> => {
  const d = record.document.document;
  return typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {};
};

/** Records grouped by name, each group newest first (as listDefinitions returns them). */
function byName(records: readonly WorkflowDefinitionRecord[]): Map<string, WorkflowDefinitionRecord[]> {
  const out = new Map<string, WorkflowDefinitionRecord[]>();
  for (const r of records) {
    let list = out.get(r.name);
    if (!list) out.set(r.name, (list = []));
    list.push(r);
  }
  for (const list of out.values()) list.sort((a, b) => b.createdAt - a.createdAt || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
  return out;
}

export async function listWorkflowSummaries(store: Pick<WorkflowRepository, 'listDefinitions'>, meta?: Origins): Promise<WorkflowSummary[]> {
  const out: WorkflowSummary[] = [];
  for (const [name, versions] of byName(await store.listDefinitions())) {
    const latest = versions[0];
    const info = infoOf(latest);
    const summary: WorkflowSummary = {
      name,
      version: latest.version,
      versions: versions.map((v) => v.version),
      namespace: String(info.namespace ?? 'default'),
      createdAt: latest.createdAt,
      origin: await originOf(meta, name, latest.version),
    };
    if (typeof info.title === 'string') summary.title = info.title;
    if (typeof info.summary === 'string') summary.summary = info.summary;
    out.push(summary);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function unknownWorkflow(name: string, version?: string, known: readonly string[] = []): TuttiError {
  if (version !== undefined && known.length > 0) {
    return new TuttiError('TUTTI_E_NOT_FOUND', `workflow ${name} has no version ${version}`, {
      hint: `deployed versions: ${known.join(', ')}`,
      details: { workflow: name, version },
    });
  }
  return new TuttiError('TUTTI_E_NOT_FOUND', `no workflow named ${name} is deployed`, {
    hint: 'list them with GET /api/v1/workflows (tutti workflow ls); deploy one with POST /api/v1/workflows',
    details: { workflow: name },
  });
}

export async function workflowDetail(store: Pick<WorkflowRepository, 'listDefinitions'>, name: string, version?: string): Promise<WorkflowDetail> {
  const versions = byName(await store.listDefinitions(name)).get(name) ?? [];
  if (versions.length === 0) throw unknownWorkflow(name);
  const record = version === undefined ? versions[0] : versions.find((v) => v.version === version);
  if (!record) throw unknownWorkflow(name, version, versions.map((v) => v.version));
  return {
    name,
    version: record.version,
    versions: versions.map((v) => v.version),
    namespace: String(infoOf(record).namespace ?? 'default'),
    source: record.source,
    document: record.document,
  };
}
