// Objects as YAML documents, one per object, as `kubectl apply -f` and GitOps tools read them
// (written out in full: no YAML anchors and aliases where two fields hold equal values).

import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export function toYamlDocuments(objects: KubernetesObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).map((doc) => `---\n${doc}`).join('');
}
