// Turning a manifest command into an argv. A plain command line is split into words (with
// shell quoting rules) and run directly, so signals reach the service itself; one that needs a
// shell (operators, redirections, globs, variables, substitutions, comments, `~`) runs under
// `/bin/sh -c`, as a person typing it would expect.

import { parse } from 'shell-quote';

/** argv for a command given as a string or a list; a list is kept as it is. */
export function toArgv(command: string | string[]): string[] {
  if (Array.isArray(command)) return [...command];
  let usesVariables = false;
  const entries = parse(command, (name) => {
    usesVariables = true;
    return `$${name}`;
  });
  const needsShell =
    usesVariables ||
    entries.some((e) => typeof e !== 'string') ||
    /[`\n]/.test(command) ||
    entries.some((e) => typeof e === 'string' && e.startsWith('~'));
  return needsShell ? ['/bin/sh', '-c', command] : (entries as string[]);
}
