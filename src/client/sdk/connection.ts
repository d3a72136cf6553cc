// Where the SDK finds its control plane: the options given, else the environment (TUTTI_URL,
// TUTTI_TOKEN), as the CLI does. Two clients share the connection settings: one for short
// requests (global fetch) and one for watches, whose open streams must not keep a process alive.

import { TuttiError } from '../../core/index.js';
import { createClient, type TuttiClient } from '../client.js';
import { streamFetch } from './stream-fetch.js';

export interface ConnectionOptions {
  /** the control plane, e.g. http://127.0.0.1:41234; default: env TUTTI_URL */
  url?: string;
  /** a bearer token of the operator role or above to register; default: env TUTTI_TOKEN */
  token?: string;
}

export interface ControlPlane {
  /** registrations, heartbeats, lists */
  api: TuttiClient;
  /** registry watches only */
  watch: TuttiClient;
}

export function connectControlPlane(conn: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): ControlPlane {
  const url = conn.url ?? env.TUTTI_URL;
  if (!url) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', 'the tutti SDK has no control plane to talk to: TUTTI_URL is not set', {
      hint: 'set TUTTI_URL and TUTTI_TOKEN (`tutti ps` runs against the same daemon: its address is in .tutti/daemon.json), or pass { url, token }',
    });
  }
  const token = conn.token ?? env.TUTTI_TOKEN ?? '';
  return { api: createClient({ url, token }), watch: createClient({ url, token, fetch: streamFetch }) };
}
