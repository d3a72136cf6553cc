// The two workloads of bench/workflow.js, written twice with the same logic: as a Serverless
// Workflow DSL 1.0 document for tutti and as an Amazon States Language machine for the peer
// (aws-local-stepfunctions). A `set` task is a Pass state with Parameters; both write a literal
// and copy the `id` of their input (one jq / one JSONPath evaluation). A `call: http` task is a
// Task state whose local handler makes the same request (GET, JSON answer, an Idempotency-Key
// header, through the same client: see agent-fetch.js) to the same no-op server; the answer is
// added to the data (`output.as: $input + {http: .}` / `ResultPath: $.http`), so the next step
// still finds the id.

/** name → which steps, in order: 's' = set / Pass, 'h' = call http / Task */
export const WORKLOADS = {
  set10: { label: '10 set', steps: 'ssssssssss' },
  mixed10: { label: '5 set + 5 call: http', steps: 'shshshshsh' },
};

const stepName = (kind, i) => `${kind === 's' ? 'set' : 'call'}${i}`;

/** The DSL document (as an object; YAML is a superset of JSON, so its JSON text loads). */
export function dslDocument(workload, noopUrl) {
  const { steps } = WORKLOADS[workload];
  return {
    document: { dsl: '1.0.0', namespace: 'bench', name: workload, version: '1.0.0' },
    do: [...steps].map((kind, i) => ({
      [stepName(kind, i)]: kind === 's'
        ? { set: { step: i, id: '${ .id }' } }
        : { call: 'http', with: { method: 'get', endpoint: `${noopUrl}/noop` }, output: { as: '${ $input + { http: . } }' } },
    })),
  };
}

/** Names of the set tasks' pointers, to tell them apart in onTask events. */
export function setPointers(workload) {
  const { steps } = WORKLOADS[workload];
  return new Set([...steps].flatMap((kind, i) => (kind === 's' ? [`/do/${i}/${stepName(kind, i)}`] : [])));
}

/** The ASL machine and the local handlers of its Task states (requests go through `fetchFn`). */
export function aslMachine(workload, noopUrl, fetchFn) {
  const { steps } = WORKLOADS[workload];
  const names = [...steps].map((kind, i) => stepName(kind, i));
  const states = {};
  const handlers = {};
  [...steps].forEach((kind, i) => {
    const next = i + 1 < names.length ? { Next: names[i + 1] } : { End: true };
    if (kind === 's') {
      states[names[i]] = { Type: 'Pass', Parameters: { step: i, 'id.$': '$.id' }, ...next };
    } else {
      states[names[i]] = { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:123456789012:function:${names[i]}`, ResultPath: '$.http', ...next };
      handlers[names[i]] = async () => {
        const res = await fetchFn(`${noopUrl}/noop`, { method: 'GET', headers: { 'Idempotency-Key': `${names[i]}:${++calls}` } });
        const body = await res.json();
        if (!res.ok) throw new Error(`no-op server answered ${res.status}`);
        return body;
      };
    }
  });
  return { definition: { StartAt: names[0], States: states }, handlers };
}

let calls = 0;
