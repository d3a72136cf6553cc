// `tutti workflow ls|deploy|run|runs|show|cancel|suspend|resume`: deploy Serverless Workflow
// documents to the control plane, start runs and follow them live, and inspect past runs.
// `run --wait` exits 0 when the run completes, 1 when it faults, 2 when it is cancelled; its
// progress goes to stderr so stdout carries only the output (`… --wait | jq`).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import { TuttiError } from '../../core/index.js';
import { createClient, type RunSummary, type TuttiClient } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { printJson, table, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { jsonFlag, limitFlag, statusFlag, timeFlag } from './workflow-flags.js';
import { elapsed, runDetailText, runFaultText, runRows, RUN_HEADERS, TaskLines, workflowRows, WORKFLOW_HEADERS } from './workflow-format.js';

/** Exit codes of `tutti workflow run --wait` by the run's end. */
export const RUN_EXIT_CODES = { completed: 0, faulted: 1, cancelled: 2 } as const;

/** The project's daemon, or any control plane named with --url / TUTTI_URL (no manifest needed then). */
export async function workflowClient(g: GlobalOptions): Promise<TuttiClient> {
  const url = g.url ?? process.env.TUTTI_URL;
  if (url) return createClient({ url, token: g.token ?? process.env.TUTTI_TOKEN ?? '' });
  return connect(resolveProject({ file: g.file }), { start: 'if-state' });
}

const out = (s: string) => void process.stdout.write(s + '\n');
const err = (s: string) => void process.stderr.write(s + '\n');

interface Problem {
  text?: string;
  message?: string;
}

/** A rejected deployment's problems, one line each (the server's `details.problems`). */
export function deployProblems(e: unknown): string[] | undefined {
  if (!(e instanceof TuttiError)) return undefined;
  const problems = (e.details as { problems?: Problem[] } | undefined)?.problems;
  if (!Array.isArray(problems) || problems.length === 0) return undefined;
  return problems.map((p) => p.text ?? p.message ?? JSON.stringify(p));
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `cannot read ${file} (${why})`, { hint: 'give the path of a Serverless Workflow document (YAML or JSON)' });
  }
}

interface RunFlags {
  input?: string;
  version?: string;
  wait?: boolean;
}

interface RunsFlags {
  workflow?: string;
  status?: string;
  since?: string;
  until?: string;
  limit?: string;
  before?: string;
}

export function registerWorkflow(program: Command): void {
  const wf = program.command('workflow').description('deploy Serverless Workflow documents, start runs and inspect them');

  wf.command('ls')
    .description('list the deployed workflows')
    .action(async (_o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const list = await (await workflowClient(g)).listWorkflows();
      if (g.json) return printJson(list);
      if (list.length === 0) return out(pc.dim('no workflows deployed (tutti workflow deploy FILE, or list files under workflows: in tutti.yaml)'));
      out(table(WORKFLOW_HEADERS, workflowRows(list)));
    });

  wf.command('deploy')
    .description('deploy a workflow document (YAML or JSON); a new version is kept beside the older ones')
    .argument('<file>', 'the document')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const source = readSource(file);
      const client = await workflowClient(g);
      try {
        const r = await client.deployWorkflow(source, file);
        if (g.json) return printJson(r);
        out(`deployed ${r.name} ${r.version}${r.created ? '' : pc.dim(' (unchanged)')}`);
      } catch (e) {
        const problems = deployProblems(e);
        if (!problems) throw e;
        err(`${pc.red('error:')} ${file} is not a valid workflow (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
        for (const p of problems) err(`  ${p}`);
        if (e instanceof TuttiError && e.hint) err(`${pc.dim('hint:')} ${e.hint}`);
        process.exitCode = 1;
      }
    });

  wf.command('run')
    .description('start a run; with --wait follow it to its end and print its output')
    .argument('<name>', 'the workflow')
    .option('--input <json>', "the run's input: JSON, @file, or @- for stdin")
    .option('--version <version>', 'this version of the workflow (default: the latest)')
    .option('--wait', 'follow the run live; exit 0 completed, 1 faulted, 2 cancelled')
    .action(async (name: string, o: RunFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const input = o.input === undefined ? undefined : jsonFlag('--input', o.input);
      const client = await workflowClient(g);
      const run = await client.startRun(name, { input, version: o.version });
      if (!o.wait) return g.json ? printJson(run) : out(run.id);
      await waitForRun(client, run, g.json === true);
    });

  wf.command('runs')
    .description('list runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--status <status>', 'only runs in this status (running, completed, faulted, cancelled, suspended)')
    .option('--since <time>', 'only runs started after a duration ago (1h) or an ISO time')
    .option('--until <time>', 'only runs started before a duration ago or an ISO time')
    .option('--limit <n>', 'at most this many (default 100, at most 1000)')
    .option('--before <cursor>', 'the page after the one that printed this cursor')
    .action(async (o: RunsFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const query = {
        workflow: o.workflow,
        status: statusFlag(o.status),
        since: timeFlag('--since', o.since),
        until: timeFlag('--until', o.until),
        limit: limitFlag(o.limit),
        before: o.before,
      };
      const page = await (await workflowClient(g)).listRuns(query);
      if (g.json) return printJson(page);
      if (page.runs.length === 0) return out(pc.dim('no runs match'));
      out(table(RUN_HEADERS, runRows(page.runs, Date.now())));
      if (page.next) out(pc.dim(`more: tutti workflow runs --before ${page.next}`));
    });

  wf.command('show')
    .description("a run's status, task timeline, input and output")
    .argument('<run>', 'the run id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const run = await (await workflowClient(g)).getRun(id);
      if (g.json) return printJson(run);
      out(runDetailText(run, Date.now()));
    });

  const actions = [
    ['cancel', 'stop a run for good', (c: TuttiClient, id: string) => c.cancelRun(id)],
    ['suspend', 'pause a run where it is (resume continues it)', (c: TuttiClient, id: string) => c.suspendRun(id)],
    ['resume', 'continue a suspended run', (c: TuttiClient, id: string) => c.resumeRun(id)],
  ] as const;
  for (const [verb, description, act] of actions) {
    wf.command(verb)
      .description(description)
      .argument('<run>', 'the run id')
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const run = await act(await workflowClient(g), id);
        if (g.json) return printJson(run);
        out(`${run.id} ${run.status}`);
      });
  }
}

/** Follows a run to its end: task lines and status changes on stderr, the output on stdout. */
async function waitForRun(client: TuttiClient, started: RunSummary, json: boolean): Promise<void> {
  const lines = new TaskLines();
  const progress = (s: string) => !json && err(s);
  progress(pc.dim(`run ${started.id}`));
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let run = started;
  try {
    for await (const e of client.watchRun(started.id, { signal: abort.signal })) {
      if (e.type === 'task') {
        const line = lines.line(e.data);
        if (line) progress(line);
      } else {
        if (e.data.status === 'suspended' && run.status !== 'suspended') progress(pc.yellow(`suspended; \`tutti workflow resume ${started.id}\` continues it`));
        run = e.data;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (abort.signal.aborted) {
    err(pc.dim(`stopped following; run ${started.id} goes on (tutti workflow show ${started.id})`));
    process.exitCode = 130;
    return;
  }
  if (!json) {
    // a quick run may end before the watch opens: print the tasks it finished unseen
    const detail = await client.getRun(started.id).catch(() => undefined);
    for (const line of lines.catchUp(detail?.tasks ?? [])) progress(line);
    if (detail) run = detail;
  }
  if (json) printJson(run);
  const took = run.endedAt === undefined ? '' : ` in ${elapsed(run.endedAt - run.createdAt)}`;
  if (run.status === 'completed') {
    progress(pc.green(`completed${took}`));
    if (!json) out(JSON.stringify(run.output ?? null, null, 2));
  } else if (run.status === 'faulted') {
    progress(`${pc.red('error:')} ${runFaultText(run)}`);
    progress(`${pc.dim('hint:')} \`tutti workflow show ${run.id}\` shows every task of the run`);
  } else if (run.status === 'cancelled') {
    progress(pc.yellow(`run ${run.id} was cancelled${took}`));
  }
  process.exitCode = RUN_EXIT_CODES[run.status as keyof typeof RUN_EXIT_CODES] ?? 1;
}
