// The deployed definitions as the runner uses them: every version's record kept in memory (so
// `run: workflow` can find one synchronously), each compiled once on first use and cached, and
// deploying — validate every document, refuse a changed source under an existing version, then
// store them all.

import { TuttiError } from '../../core/index.js';
import type { MetaRepository, WorkflowDefinitionRecord, WorkflowRepository } from '../../store/index.js';
import { loadWorkflow, type AllowRun, type WorkflowDefinition } from '../definition/index.js';
import { rememberOrigin, unknownWorkflow } from './definition-views.js';
import { taskTypesByPointer } from './task-types.js';
import type { DefinitionOrigin, DeployResult, WorkflowSourceFile } from './types.js';

export interface CompiledDefinition {
  record: WorkflowDefinitionRecord;
  def: WorkflowDefinition;
  /** task_type label by task pointer */
  taskTypes: Map<string, string>;
}

const newestFirst = (a: WorkflowDefinitionRecord, b: WorkflowDefinitionRecord) =>
  b.createdAt - a.createdAt || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0);

export class DefinitionCatalog {
  private readonly records = new Map<string, WorkflowDefinitionRecord[]>();
  private readonly compiled = new Map<string, CompiledDefinition>();

  constructor(
    private readonly store: WorkflowRepository,
    private readonly meta: Pick<MetaRepository, 'get' | 'set'> | undefined,
    private readonly allowRun: AllowRun,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    this.records.clear();
    for (const r of await this.store.listDefinitions()) this.add(r);
  }

  private add(record: WorkflowDefinitionRecord): void {
    const list = this.records.get(record.name) ?? [];
    if (!list.some((r) => r.version === record.version)) list.push(record);
    list.sort(newestFirst);
    this.records.set(record.name, list);
  }

  names(): string[] {
    return [...this.records.keys()].sort();
  }

  /** one version, or the latest */
  record(name: string, version?: string): WorkflowDefinitionRecord | undefined {
    const list = this.records.get(name);
    return version === undefined ? list?.[0] : list?.find((r) => r.version === version);
  }

  /** The compiled definition; 404 for an unknown name or version, 400 if it no longer loads
   *  (e.g. it runs shell commands and the server no longer allows them). */
  compile(name: string, version?: string): CompiledDefinition {
    const record = this.record(name, version);
    if (!record) throw unknownWorkflow(name, version, (this.records.get(name) ?? []).map((r) => r.version));
    const key = `${record.name}@${record.version}`;
    let c = this.compiled.get(key);
    if (!c) {
      const def = loadWorkflow(record.source, { file: key, allowRun: this.allowRun });
      c = { record, def, taskTypes: taskTypesByPointer(def) };
      this.compiled.set(key, c);
    }
    return c;
  }

  /** loadWorkflow, with a hint naming the daemon's settings when shell or script tasks are refused */
  private loadDocument(doc: WorkflowSourceFile): WorkflowDefinition {
    try {
      return loadWorkflow(doc.source, { file: doc.file, allowRun: this.allowRun });
    } catch (e) {
      const refused = e instanceof TuttiError && /run\.(shell|script) is not allowed/.exec(e.message);
      if (!refused) throw e;
      const env = refused[1] === 'shell' ? 'TUTTI_ALLOW_RUN_SHELL=1' : 'TUTTI_ALLOW_RUN_SCRIPT=1';
      throw new TuttiError(e.code, e.message, {
        hint: `run.${refused[1]} executes code on the control plane's machine; allow it by starting the daemon with ${env} in its environment (e.g. \`tutti down && ${env} tutti up\`)`,
        details: e.details,
      });
    }
  }

  /** For `run: workflow`: the definition, or undefined when it is not deployed (or in another namespace). */
  lookup(name: string, version: string | undefined, namespace: string | undefined): WorkflowDefinition | undefined {
    try {
      const { def } = this.compile(name, version);
      return namespace === undefined || def.document.namespace === namespace ? def : undefined;
    } catch {
      return undefined;
    }
  }

  /** Validates every document, then refuses any whose name and version exist with another
   *  source, then stores them; nothing is stored unless all pass. */
  async deploy(
    docs: readonly WorkflowSourceFile[],
    origin: DefinitionOrigin,
    /** further checks of a loaded document (e.g. its schedule), before anything is stored */
    check?: (def: WorkflowDefinition, doc: WorkflowSourceFile) => Promise<void>,
  ): Promise<DeployResult[]> {
    const loaded = docs.map((d) => ({ doc: d, def: this.loadDocument(d) }));
    if (check) for (const { doc, def } of loaded) await check(def, doc);
    const seen = new Map<string, (typeof loaded)[number]>();
    const fresh: typeof loaded = [];
    for (const item of loaded) {
      const { name, version } = item.def.document;
      const key = `${name}@${version}`;
      const label = item.doc.file ?? 'the document';
      const twin = seen.get(key);
      if (twin && twin.doc.source !== item.doc.source) {
        throw new TuttiError('TUTTI_E_CONFLICT', `${label} and ${twin.doc.file ?? 'another document'} both define workflow ${name} version ${version}, differently`, {
          hint: 'give one of them another `document.name` or `document.version`',
          details: { workflow: name, version, file: item.doc.file },
        });
      }
      seen.set(key, item);
      if (twin) continue;
      const existing = this.record(name, version) ?? (await this.store.getDefinition(name, version));
      if (existing && existing.source !== item.doc.source) {
        throw new TuttiError('TUTTI_E_CONFLICT', `${label}: workflow ${name} version ${version} is already deployed with a different definition`, {
          hint: 'give the changed definition a new `document.version`; runs keep the version they started with',
          details: { workflow: name, version, file: item.doc.file },
        });
      }
      if (!existing) fresh.push(item);
    }
    const results = new Map<string, DeployResult>();
    for (const { def } of loaded) results.set(`${def.document.name}@${def.document.version}`, { name: def.document.name, version: def.document.version, created: false });
    let t = this.now();
    for (const { doc, def } of fresh) {
      const { name, version } = def.document;
      // one deploy of several documents still orders them: later ones are newer
      const record: WorkflowDefinitionRecord = { name, version, source: doc.source, document: def.raw as Record<string, unknown>, createdAt: t++ };
      await this.store.putDefinition(record);
      await rememberOrigin(this.meta, name, version, origin);
      this.add(record);
      this.compiled.set(`${name}@${version}`, { record, def, taskTypes: taskTypesByPointer(def) });
      results.get(`${name}@${version}`)!.created = true;
    }
    return loaded.map(({ def }) => ({ ...results.get(`${def.document.name}@${def.document.version}`)! }));
  }
}
