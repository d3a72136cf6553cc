// `tutti config validate [path]` and `tutti config schema`.

import type { Command } from 'commander';
import pc from 'picocolors';
import { redactSecrets, loadManifestFile, manifestJsonSchema } from '../../core/manifest/index.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { projectRuntime } from '../runtime-options.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check the manifest, print its JSON Schema');
  config
    .command('validate')
    .description('validate a manifest without applying it')
    .argument('[path]', 'a tutti.yaml or the folder holding one')
    .action((pathArg: string | undefined, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ path: pathArg, file: g.file });
      // read for the runtime `tutti up` would use: the manifest's, else the project's last
      const spec = loadManifestFile(project.file ?? project.dir, process.env, { defaultRuntime: projectRuntime(project.stateDir)?.runtime });
      if (g.json) return printJson(redactSecrets(spec));
      for (const w of spec.warnings ?? []) process.stderr.write(`${pc.yellow('warning:')} ${w}\n`);
      process.stdout.write(`${pc.green('✔')} ${spec.file} is valid: stack ${spec.name}, ${spec.order.length} services (${spec.order.join(', ')})\n`);
    });
  config
    .command('schema')
    .description("print the manifest's JSON Schema (for editors)")
    .action(() => printJson(manifestJsonSchema()));
}
