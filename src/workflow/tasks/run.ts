// `run`: a sub-workflow (`run.workflow`, in process, see engine/sub-workflow.ts), a shell command
// (`run.shell`: /bin/sh -c <command> with `arguments` as $1, $2, …) or a script (`run.script`:
// JavaScript with this Node, Python with python3). Shell and script execute code on the control
// plane: refused unless the run's options allow them. `return` picks the output (stdout, stderr,
// code, all, none); a non-zero exit faults unless the output is the code (`code`, `all`).
// `await: false` starts the process and outputs the task input at once. Containers are refused
// when the workflow is loaded.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { notSupported } from '../engine/faults.js';
import { runChildWorkflow } from '../engine/sub-workflow.js';
import type { Outcome, TaskRuntime, TaskExecutor } from '../engine/types.js';
import type { TaskNode } from '../definition/index.js';
import { OutputTooLarge, runProcess, startDetached, type ProcessSpec } from './run-process.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

type ReturnKind = 'stdout' | 'stderr' | 'code' | 'all' | 'none';

export const runTask: TaskExecutor = async (task, input, rt) => {
  const run = task.definition.run as Obj;
  if ('workflow' in run) return runWorkflowProcess(task, input, rt, run.await !== false);
  if ('shell' in run) return runShell(task, input, rt);
  if ('script' in run) return runScript(task, input, rt);
  throw notSupported(task.pointer, `run: ${Object.keys(run).filter((k) => k !== 'await' && k !== 'return').join(', ') || 'nothing'}`);
};

async function runWorkflowProcess(task: TaskNode, input: unknown, rt: TaskRuntime, awaitIt: boolean): Promise<Outcome> {
  const wf = rt.value('/run/workflow', input) as { namespace?: string; name: string; version?: string; input?: unknown };
  if (!awaitIt) throw notSupported(task.pointer, 'run.workflow with await: false (a sub-workflow that outlives its task); run it awaited, or start it as a run of its own');
  const version = wf.version === undefined || wf.version === 'latest' ? undefined : String(wf.version);
  const def = rt.options.loadWorkflow?.(String(wf.name), version, wf.namespace === undefined ? undefined : String(wf.namespace));
  if (!def) {
    const which = `${wf.namespace ? `${wf.namespace}/` : ''}${wf.name}${version ? ` version ${version}` : ''}`;
    throw new WorkflowError({
      type: ErrorTypes.runtime,
      status: 404,
      title: 'Workflow not found',
      detail: rt.options.loadWorkflow
        ? `run.workflow names ${which}, which is not deployed; deploy it first.`
        : `run.workflow names ${which}, but this run has no workflows to load sub-workflows from.`,
      instance: task.pointer,
    });
  }
  // without `input`, the sub-workflow gets the task's input (as the Java reference runtime does)
  const childInput = 'input' in wf ? wf.input : input;
  return { output: await runChildWorkflow(def, childInput, rt, task.pointer) };
}

function refused(task: TaskNode, kind: 'shell' | 'script'): WorkflowError {
  return new WorkflowError({
    type: ErrorTypes.authorization,
    status: 403,
    title: `run.${kind} is not allowed`,
    detail: `run.${kind} executes code on the control plane and is off on this server; start the server with ${kind} tasks allowed (allowRun.${kind}) to run it.`,
    instance: task.pointer,
  });
}

function processEnv(rt: TaskRuntime, environment: unknown): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...(rt.options.env ?? process.env) };
  if (isObject(environment)) for (const [k, v] of Object.entries(environment)) env[k] = text(v);
  return env;
}

async function runShell(task: TaskNode, input: unknown, rt: TaskRuntime): Promise<Outcome> {
  if (!rt.options.allow?.shell) throw refused(task, 'shell');
  const sh = rt.value('/run/shell', input) as { command: unknown; arguments?: unknown; environment?: unknown; stdin?: unknown };
  const args = Array.isArray(sh.arguments) ? sh.arguments.map(text) : [];
  const spec: ProcessSpec = {
    file: '/bin/sh',
    // `sh -c <command> <$0> <$1> …`: the arguments are the command's positional parameters
    args: ['-c', text(sh.command), 'sh', ...args],
    cwd: rt.options.cwd ?? process.cwd(),
    env: processEnv(rt, sh.environment),
    stdin: sh.stdin === undefined ? undefined : text(sh.stdin),
  };
  return execute(task, input, rt, spec, 'the shell command');
}

const LANGUAGES: Record<string, 'node' | 'python'> = { js: 'node', javascript: 'node', python: 'python' };

async function scriptCode(task: TaskNode, rt: TaskRuntime, script: { code?: unknown; source?: unknown }): Promise<string> {
  if (typeof script.code === 'string') return script.code;
  const source = script.source as { endpoint?: unknown } | undefined;
  const endpoint = isObject(source?.endpoint) ? source.endpoint.uri : source?.endpoint;
  const uri = String(endpoint ?? '');
  try {
    if (/^https?:/i.test(uri)) {
      const res = await (rt.options.fetch ?? globalThis.fetch)(uri, { signal: rt.scope.signal });
      if (!res.ok) throw new Error(`${uri} answered ${res.status}`);
      return await res.text();
    }
    const cwd = rt.options.cwd ?? process.cwd();
    const file = uri.startsWith('file:') ? fileURLToPath(uri) : isAbsolute(uri) ? uri : resolve(cwd, uri);
    return await readFile(file, 'utf8');
  } catch (e) {
    if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
    throw new WorkflowError({ type: ErrorTypes.communication, status: 502, title: 'Script not readable', detail: `the script's source ${JSON.stringify(uri)} could not be read: ${(e as Error).message}.`, instance: task.pointer });
  }
}

async function runScript(task: TaskNode, input: unknown, rt: TaskRuntime): Promise<Outcome> {
  if (!rt.options.allow?.script) throw refused(task, 'script');
  const script = rt.value('/run/script', input) as { language: unknown; code?: unknown; source?: unknown; arguments?: unknown; environment?: unknown; stdin?: unknown };
  const language = LANGUAGES[String(script.language).toLowerCase()];
  if (!language) {
    throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Unknown script language', detail: `run.script language ${JSON.stringify(script.language)} is not one of js, javascript, python.`, instance: `${task.pointer}/run/script/language` });
  }
  const code = await scriptCode(task, rt, script);
  // the code goes to a file, so that argv is [interpreter, script, ...arguments] as for any script
  const dir = await mkdtemp(join(tmpdir(), 'tutti-script-'));
  const esm = /^\s*(import|export)\s/m.test(code);
  const file = join(dir, language === 'python' ? 'script.py' : esm ? 'script.mjs' : 'script.cjs');
  const cleanup = () => void rm(dir, { recursive: true, force: true }).catch(() => undefined);
  let detached = false;
  try {
    await writeFile(file, code);
    const spec: ProcessSpec = {
      file: language === 'python' ? 'python3' : process.execPath,
      args: [file, ...(Array.isArray(script.arguments) ? script.arguments.map(text) : [])],
      cwd: rt.options.cwd ?? process.cwd(),
      env: processEnv(rt, script.environment),
      stdin: script.stdin === undefined ? undefined : text(script.stdin),
    };
    const run = task.definition.run as Obj;
    detached = run.await === false;
    return await execute(task, input, rt, spec, `the ${language === 'python' ? 'Python' : 'JavaScript'} script`, cleanup);
  } finally {
    if (!detached) cleanup();
  }
}

function notFoundError(task: TaskNode, spec: ProcessSpec): WorkflowError {
  const python = spec.file === 'python3';
  return new WorkflowError({
    type: ErrorTypes.runtime,
    status: 501,
    title: 'Interpreter not found',
    detail: python ? 'run.script in Python needs python3, which is not installed on the control plane.' : `${spec.file} was not found on the control plane.`,
    instance: task.pointer,
  });
}

async function execute(task: TaskNode, input: unknown, rt: TaskRuntime, spec: ProcessSpec, what: string, onDetachedExit?: () => void): Promise<Outcome> {
  const run = task.definition.run as Obj;
  if (run.await === false) {
    try {
      await startDetached(spec, onDetachedExit);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFoundError(task, spec);
      throw e;
    }
    return { output: input };
  }
  const ret = (typeof run.return === 'string' ? run.return : 'stdout') as ReturnKind;
  let result;
  try {
    result = await runProcess(spec, rt.scope.signal);
  } catch (e) {
    if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFoundError(task, spec);
    if (e instanceof OutputTooLarge) throw new WorkflowError({ type: ErrorTypes.runtime, status: 500, title: 'Process output too large', detail: `${what} ${e.message}; it was stopped.`, instance: task.pointer });
    throw e;
  }
  if (result.code === null) {
    throw new WorkflowError({ type: ErrorTypes.runtime, status: 500, title: 'Process killed', detail: `${what} was ended by ${result.signal ?? 'a signal'}.`, instance: task.pointer });
  }
  if (result.code !== 0 && ret !== 'code' && ret !== 'all') {
    const stderr = result.stderr.trim();
    throw new WorkflowError({
      type: ErrorTypes.runtime,
      status: 500,
      title: 'Process failed',
      detail: `${what} exited with code ${result.code}${stderr ? `: ${stderr.length > 2000 ? `…${stderr.slice(-2000)}` : stderr}` : ''}`,
      instance: task.pointer,
    });
  }
  switch (ret) {
    case 'stderr':
      return { output: result.stderr };
    case 'code':
      return { output: result.code };
    case 'all':
      return { output: { code: result.code, stdout: result.stdout, stderr: result.stderr } };
    case 'none':
      return { output: input };
    default:
      return { output: result.stdout };
  }
}
