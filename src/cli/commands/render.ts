// `tutti render kubernetes [path]`: the Kubernetes objects `tutti up --runtime kubernetes`
// would apply, as YAML documents (one per object) for GitOps, or a JSON array with --json.
// `tutti render control-plane`: the control plane's own Deployment, Service, ServiceAccount
// and least RBAC, for running `tutti server` inside the cluster. Nothing talks to a cluster:
// the kubeconfig is only read for its namespace, when --namespace is not given.

import type { Command } from 'commander';
import pc from 'picocolors';
import type { KubernetesObject } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import { loadManifestFile } from '../../core/manifest/index.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { VERSION } from '../version.js';

interface TargetOptions {
  namespace?: string;
  context?: string;
}

export function registerRender(program: Command): void {
  const render = program.command('render').description('print what tutti would deploy, without deploying it');
  render
    .command('kubernetes')
    .description('print the Kubernetes objects of the stack (one YAML document per object)')
    .argument('[path]', 'a tutti.yaml or the folder holding one')
    .option('-n, --namespace <namespace>', "namespace of the objects (default: the kubeconfig context's, else default)")
    .option('--context <context>', 'kubeconfig context whose namespace to use')
    .action(async (pathArg: string | undefined, o: TargetOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ path: pathArg, file: g.file });
      // read for kubernetes whatever the manifest's runtime: (an image-only manifest is fine here)
      const { warnings, ...stack } = loadManifestFile(project.file ?? project.dir, process.env, { runtime: 'kubernetes' });
      for (const w of warnings ?? []) process.stderr.write(`${pc.yellow('warning:')} ${w}\n`);
      const k8s = await import('../../runtime/kubernetes/index.js');
      const namespace = o.namespace ?? (await namespaceOf(k8s, o.context));
      const objects = k8s.renderStack(stack, { namespace });
      print(k8s, objects, g.json === true);
      const secrets = objects.filter((x) => x.kind === 'Secret').map((x) => x.metadata?.name);
      if (secrets.length > 0 && !g.json) {
        process.stderr.write(`${pc.yellow('note:')} ${secrets.join(', ')} hold${secrets.length === 1 ? 's' : ''} secret values (base64, not encrypted): keep ${secrets.length === 1 ? 'it' : 'them'} out of version control\n`);
      }
    });
  render
    .command('control-plane')
    .description("print the control plane's Deployment, Service, ServiceAccount and the least RBAC it needs")
    .option('-n, --namespace <namespace>', "namespace to run it in, and whose services it manages (default: the kubeconfig context's, else default)")
    .option('--context <context>', 'kubeconfig context whose namespace to use')
    .option('--image <image>', "the control plane's image", `tutti:${VERSION}`)
    .option('--port <port>', 'port of its API', '8080')
    .action(async (o: TargetOptions & { image: string; port: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const k8s = await import('../../runtime/kubernetes/index.js');
      const namespace = o.namespace ?? (await namespaceOf(k8s, o.context));
      k8s.checkNamespace(namespace);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TuttiError('TUTTI_E_BAD_REQUEST', `--port must be a port number (1-65535), got ${o.port}`);
      print(k8s, k8s.renderControlPlane({ namespace, image: o.image, port }), g.json === true);
    });
}

type KubernetesModule = typeof import('../../runtime/kubernetes/index.js');

function print(k8s: KubernetesModule, objects: KubernetesObject[], json: boolean): void {
  if (json) printJson(objects);
  else process.stdout.write(k8s.toYamlDocuments(objects));
}

/** The kubeconfig context's namespace, or "default" when there is no kubeconfig at all. */
async function namespaceOf(k8s: KubernetesModule, context: string | undefined): Promise<string> {
  try {
    return (await k8s.loadClusterTarget({ context })).namespace;
  } catch (err) {
    if (context !== undefined) throw err;
    return 'default';
  }
}
