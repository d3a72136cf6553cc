// What the orchestrator needs from the store: the applied stack, the desired state of each
// service (replicas after `scale`, stopped, its endpoint's port) and an event history.

import type { StackSpec } from '../core/index.js';

export interface DesiredService {
  name: string;
  replicas: number;
  stopped: boolean;
  endpointPort?: number;
}

export interface OrchestratorStore {
  stack: {
    get(): Promise<{ spec: StackSpec; appliedAt: number } | undefined>;
    put(spec: StackSpec): Promise<void>;
    delete(): Promise<void>;
  };
  services: {
    list(): Promise<DesiredService[]>;
    put(service: DesiredService): Promise<void>;
    delete(name: string): Promise<void>;
  };
  events: {
    add(event: { time: number; kind: string; service?: string; instance?: string; message: string }): Promise<void>;
  };
}
