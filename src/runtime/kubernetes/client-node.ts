// Loads @kubernetes/client-node, lazily: the daemon pays for it only on the kubernetes runtime.
// Its 2.x releases ask for undici 8, which needs Node.js 22.19 or newer and fails to load on
// Node.js 20; package.json's `overrides` gives it the undici 7 tutti ships, which it works with.

export type ClientNode = typeof import('@kubernetes/client-node');

let loading: Promise<ClientNode> | undefined;

export function clientNode(): Promise<ClientNode> {
  loading ??= import('@kubernetes/client-node');
  return loading;
}
