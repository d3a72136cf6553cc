// Running the tools under test as child processes. Waits for 'exit', not 'close': a CLI that
// starts a daemon may leave its stdout pipe held by that daemon.
import { spawn } from 'node:child_process';

/** Starts a command; `done` resolves with { code, signal, output, at } once it exits (`at`: performance.now()). */
export function start(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    if (output.length > 64_000) output = output.slice(-32_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exit;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${[command, ...args].join(' ')} did not finish within ${timeoutMs}ms\n${output}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      exit = { code, signal, output, at: performance.now() };
      resolve(exit);
    });
  });
  done.catch(() => {});
  return { child, done, exited: () => exit };
}

/** Runs a command to the end; throws with its output when it fails. */
export async function run(command, args, options) {
  const result = await start(command, args, options).done;
  if (result.code !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited with ${result.code ?? result.signal}\n${result.output.trim()}`);
  }
  return result;
}
