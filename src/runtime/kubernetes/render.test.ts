// render: a stack as Kubernetes objects — what each field of a service becomes, that every
// object validates against the Kubernetes OpenAPI schema (kubernetes-models), and that stacks
// a cluster cannot run are refused with the reason.

import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { V1Deployment, V1Job, V1Secret, V1Service } from '@kubernetes/client-node';
import type { StackSpec } from '../../core/index.js';
import { parseManifest } from '../../core/manifest/index.js';
import { testServiceSpec } from '../../core/test-service-spec.js';
import { renderControlPlane } from './render-control-plane.js';
import { isJobService, JOB_RETRIES_ON_FAILURE, renderJob } from './render-job.js';
import { renderService } from './render-service.js';
import { renderStack } from './render-stack.js';
import { toYamlDocuments } from './render-yaml.js';

function stackOf(services: StackSpec['services'], order = Object.keys(services)): StackSpec {
  return { name: 'shop', file: '/srv/shop/tutti.yaml', dir: '/srv/shop', services, order };
}

const health = { http: '/healthz', intervalMs: 2000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 };

const shop = stackOf({
  inventory: testServiceSpec('inventory', { image: 'ghcr.io/acme/inventory:1.4', command: [], replicas: 2, health, env: { LOG_LEVEL: 'info', DB_PASSWORD: 'hunter2' } }),
  orders: testServiceSpec('orders', {
    image: 'ghcr.io/acme/orders:2.0', port: 9000, protocol: 'http', dependsOn: { inventory: 'healthy', 'user_db': 'started' },
    command: ['node', 'services/orders.js'],
  }),
  user_db: testServiceSpec('user_db', { image: 'postgres:16', port: 5432, protocol: 'tcp', health: { ...health, http: undefined, tcp: true } }),
}, ['inventory', 'user_db', 'orders']);

function validate(o: { kind?: string }): void {
  if (o.kind === 'Deployment') new Deployment(o as never).validate();
  else if (o.kind === 'Service') new Service(o as never).validate();
  else if (o.kind === 'Secret') new Secret(o as never).validate();
  else if (o.kind === 'Job') new Job(o as never).validate();
  else throw new Error(`unexpected kind ${o.kind}`);
}

describe('renderStack', () => {
  const objects = renderStack(shop, { namespace: 'prod' });
  const find = <T>(kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name) as T;

  it('renders each service as Secret (when it has secrets), Service and Deployment, in dependency order', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Secret/inventory-env', 'Service/inventory', 'Deployment/inventory',
      'Service/user-db', 'Deployment/user-db',
      'Service/orders', 'Deployment/orders',
    ]);
  });

  it('validates every object against the Kubernetes OpenAPI schema', () => {
    for (const o of objects) expect(() => validate(o), `${o.kind}/${o.metadata?.name}`).not.toThrow();
  });

  it("labels every object as tutti's, part of the stack, and stamps what was rendered", () => {
    for (const o of objects) {
      expect(o.metadata?.namespace).toBe('prod');
      expect(o.metadata?.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'tutti' });
      expect(o.metadata?.annotations?.['tutti.dev/applied']).toMatch(/^[0-9a-f]{12}$/);
    }
    expect(find<V1Deployment>('Deployment', 'user-db').metadata?.labels?.['app.kubernetes.io/name']).toBe('user_db');
  });

  it('maps replicas, image, command, port, probes and the rolling update', () => {
    const inv = find<V1Deployment>('Deployment', 'inventory').spec!;
    expect(inv.replicas).toBe(2);
    expect(inv.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(inv.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'inventory', 'app.kubernetes.io/part-of': 'shop' });
    const c = inv.template.spec!.containers[0];
    expect(c.image).toBe('ghcr.io/acme/inventory:1.4');
    expect(c.args).toBeUndefined(); // no command: the image's own
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]); // port 0: the default
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 9 });
    expect(c.startupProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 30 }); // 60s ready_timeout
    expect(inv.template.metadata?.annotations?.['tutti.dev/revision']).toBe('rev-inventory');
    expect(inv.template.spec!.terminationGracePeriodSeconds).toBe(10);

    const orders = find<V1Deployment>('Deployment', 'orders').spec!.template.spec!.containers[0];
    expect(orders.args).toEqual(['node', 'services/orders.js']);
    expect(orders.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    expect(orders.readinessProbe).toBeUndefined(); // no health: ready once running

    const db = find<V1Deployment>('Deployment', 'user-db').spec!.template.spec!.containers[0];
    expect(db.readinessProbe?.tcpSocket).toEqual({ port: 5432 });
    expect(db.ports).toEqual([{ name: 'tcp', containerPort: 5432, protocol: 'TCP' }]);
  });

  it('gives dependents their dependencies by cluster DNS name, and PORT and identity variables', () => {
    const env = find<V1Deployment>('Deployment', 'orders').spec!.template.spec!.containers[0].env!;
    const value = (name: string) => env.find((e) => e.name === name);
    expect(value('INVENTORY_URL')?.value).toBe('http://inventory.prod.svc:8080');
    expect(value('USER_DB_URL')?.value).toBe('tcp://user-db.prod.svc:5432');
    expect(value('PORT')?.value).toBe('9000');
    expect(value('TUTTI_SERVICE')?.value).toBe('orders');
    expect(value('TUTTI_STACK')?.value).toBe('shop');
    expect(value('TUTTI_INSTANCE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
  });

  it('puts secret values in a Secret the pod reads them from, and the rest in the pod spec', () => {
    const secret = find<V1Secret>('Secret', 'inventory-env');
    expect(secret.data).toEqual({ DB_PASSWORD: Buffer.from('hunter2').toString('base64') });
    const env = find<V1Deployment>('Deployment', 'inventory').spec!.template.spec!.containers[0].env!;
    expect(env.find((e) => e.name === 'DB_PASSWORD')).toEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'inventory-env', key: 'DB_PASSWORD' } } });
    expect(env.find((e) => e.name === 'LOG_LEVEL')).toEqual({ name: 'LOG_LEVEL', value: 'info' });
    expect(JSON.stringify(find('Deployment', 'inventory'))).not.toContain('hunter2');
  });

  it('writes the protocol of every Service port, forwarding to the container port', () => {
    const svc = find<V1Service>('Service', 'user-db');
    expect(svc.spec?.ports).toEqual([{ name: 'tcp', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'user_db', 'app.kubernetes.io/part-of': 'shop' });
  });

  it('is deterministic, and a changed image changes only what it should', () => {
    expect(renderStack(shop, { namespace: 'prod' })).toEqual(objects);
    const next = stackOf({ ...shop.services, inventory: { ...shop.services.inventory, image: 'ghcr.io/acme/inventory:1.5', revision: 'rev2' } }, shop.order);
    const again = renderStack(next, { namespace: 'prod' });
    const applied = (list: typeof objects) => Object.fromEntries(list.map((o) => [`${o.kind}/${o.metadata?.name}`, o.metadata?.annotations?.['tutti.dev/applied']]));
    const [before, after] = [applied(objects), applied(again)];
    expect(Object.keys(before).filter((k) => before[k] !== after[k])).toEqual(['Deployment/inventory']);
  });

  it('prints one YAML document per object, which reads back as the same objects', () => {
    const text = toYamlDocuments(objects);
    const docs = parseAllDocuments(text).map((d) => d.toJSON());
    expect(docs).toEqual(JSON.parse(JSON.stringify(objects)));
    expect(text.match(/^---$/gm)).toHaveLength(objects.length);
    expect(text).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases: every object written out
  });
});

describe('renderStack refuses what a cluster cannot run', () => {
  it.each([
    ['services without an image, naming each', stackOf({ a: testServiceSpec('a'), b: testServiceSpec('b'), c: testServiceSpec('c', { image: 'x' }) }), /services "a", "b" have no image, which the kubernetes runtime needs/],
    ['two services with one Kubernetes name', stackOf({ a_b: testServiceSpec('a_b', { image: 'x' }), 'a-b': testServiceSpec('a-b', { image: 'x' }) }), /services "a_b" and "a-b" would both be named "a-b"/],
    ['a name Kubernetes does not allow', stackOf({ 'web-': testServiceSpec('web-', { image: 'x' }) }), /service "web-" cannot be named "web-" in Kubernetes/],
    ['a name too long for a Service', stackOf({ ['s' + 'x'.repeat(63)]: testServiceSpec('s' + 'x'.repeat(63), { image: 'x' }) }), /at most 63/],
  ])('%s', (_title, stack, message) => {
    expect(() => renderStack(stack, { namespace: 'default' })).toThrow(message);
  });

  it('refuses a namespace name Kubernetes does not allow', () => {
    expect(() => renderStack(shop, { namespace: 'Prod_1' })).toThrow(/"Prod_1" is not a Kubernetes namespace name/);
  });

  it('names the hint: where to add the image', () => {
    try {
      renderStack(stackOf({ a: testServiceSpec('a') }), { namespace: 'default' });
      expect.unreachable();
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('add an `image:` to services.a in /srv/shop/tutti.yaml');
    }
  });
});

describe('renderService', () => {
  it('puts what the manifest says is secret (env_file values, { secret: true }) in the Secret, the rest in the pod spec', () => {
    const stack = parseManifest('name: s\nruntime: kubernetes\nservices:\n  api:\n    image: api:1\n    env_file: api.env\n    env: { LEVEL: info, SIGNING: { value: k1, secret: true }, HOST: clear }\n', {
      file: '/p/tutti.yaml', env: {}, readFile: (f) => (f === '/p/api.env' ? 'DB_URL=postgres://u:pw@db/x\nHOST=from-file\n' : undefined),
    });
    const { deployment, secret } = renderService({ spec: stack.services.api, stack: 's', namespace: 'n', replicas: 1 });
    const env = deployment.spec!.template.spec!.containers[0].env!;
    const from = (name: string) => env.find((e) => e.name === name);
    expect(from('DB_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'api-env', key: 'DB_URL' });
    expect(from('SIGNING')?.valueFrom?.secretKeyRef).toEqual({ name: 'api-env', key: 'SIGNING' });
    expect([from('LEVEL')?.value, from('HOST')?.value]).toEqual(['info', 'clear']);
    expect(Object.keys(secret!.data!).sort()).toEqual(['DB_URL', 'SIGNING']);
    expect(JSON.stringify(deployment)).not.toContain('pw@db');
  });

  it('keeps the image when a service has no command, and stop grace as the termination grace period', () => {
    const { deployment } = renderService({ spec: testServiceSpec('w', { image: 'w:1', command: [], stopGraceMs: 2500 }), stack: 's', namespace: 'n', replicas: 0 });
    expect(deployment.spec?.replicas).toBe(0);
    expect(deployment.spec?.template.spec?.containers[0].args).toBeUndefined();
    expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBe(3);
  });

  it('rolls the pods when a secret value changes, without showing it', () => {
    const render = (token: string) => renderService({ spec: testServiceSpec('w', { image: 'w:1' }), stack: 's', namespace: 'n', replicas: 1, env: { TUTTI_TOKEN: token } });
    const [a, b] = [render('one'), render('two')];
    expect(a.secret?.data?.TUTTI_TOKEN).toBe(Buffer.from('one').toString('base64'));
    const hash = (o: typeof a) => o.deployment.spec?.template.metadata?.annotations?.['tutti.dev/env-hash'];
    expect(hash(a)).not.toBe(hash(b));
    expect(JSON.stringify(a.deployment)).not.toContain('one');
  });

  it('maps an exec check, a start period and declared resources', () => {
    const spec = testServiceSpec('w', {
      image: 'w:1',
      health: { exec: ['pg_isready'], intervalMs: 500, timeoutMs: 3000, healthyAfter: 2, unhealthyAfter: 1, startPeriodMs: 4500 },
      readyTimeoutMs: 10_000,
    });
    const resources = { requests: { cpuMillis: 100, memoryBytes: 64 * 2 ** 20 }, limits: { cpuMillis: 2000, memoryBytes: 1000 } };
    const c = renderService({ spec: { ...spec, resources }, stack: 's', namespace: 'n', replicas: 1 }).deployment.spec!.template.spec!.containers[0];
    expect(c.readinessProbe).toEqual({ exec: { command: ['pg_isready'] }, periodSeconds: 1, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 });
    expect(c.startupProbe).toMatchObject({ initialDelaySeconds: 5, failureThreshold: 10 });
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '2', memory: '1k' } });
  });
});

describe('run-to-completion services as Jobs', () => {
  const stack = stackOf({
    db: testServiceSpec('db', { image: 'postgres:16', port: 5432, protocol: 'tcp' }),
    migrate: testServiceSpec('migrate', {
      image: 'ghcr.io/acme/migrate:3', command: ['migrate', 'up'], restart: 'never', dependsOn: { db: 'healthy' }, health,
      env: { DB_PASSWORD: 'hunter2', STEP: 'all' }, resources: { limits: { memoryBytes: 128 * 2 ** 20 } },
    }),
    seed: testServiceSpec('seed', { image: 'ghcr.io/acme/seed:1', restart: 'on-failure', replicas: 3, dependsOn: { migrate: 'completed' } }),
    api: testServiceSpec('api', { image: 'ghcr.io/acme/api:1', dependsOn: { seed: 'completed' } }),
  });
  const objects = renderStack(stack, { namespace: 'prod' });
  const job = (name: string) => objects.find((o) => o.kind === 'Job' && o.metadata?.name === name) as V1Job;

  it('renders restart never, and on-failure without a health check, as a Job with its Secret, a Service only when it serves (health); restart always stays a Deployment', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Service/db', 'Deployment/db',
      'Secret/migrate-env', 'Service/migrate', 'Job/migrate',
      'Job/seed',
      'Service/api', 'Deployment/api',
    ]);
    expect([isJobService({ restart: 'always' }), isJobService({ restart: 'never' }), isJobService({ restart: 'on-failure' })]).toEqual([false, true, true]);
    // on-failure with a health check is a server (as compose users write it): a Deployment
    expect(isJobService({ restart: 'on-failure', health })).toBe(false);
    expect(isJobService({ restart: 'never', health })).toBe(true);
  });

  it('validates every object, Jobs included, against the Kubernetes OpenAPI schema', () => {
    for (const o of objects) expect(() => validate(o), `${o.kind}/${o.metadata?.name}`).not.toThrow();
  });

  it('runs `replicas` pods once each; never gives up at the first failure, on-failure retries in the pod', () => {
    const migrate = job('migrate');
    expect(migrate.apiVersion).toBe('batch/v1');
    expect(migrate.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 0 });
    expect(migrate.spec!.template.spec!.restartPolicy).toBe('Never');
    expect(migrate.spec!.selector).toBeUndefined(); // the API server generates it from the Job's uid
    const seed = job('seed');
    expect(seed.spec).toMatchObject({ parallelism: 3, completions: 3, backoffLimit: JOB_RETRIES_ON_FAILURE });
    expect(seed.spec!.template.spec!.restartPolicy).toBe('OnFailure');
  });

  it('gives the pods what a Deployment\'s get — labels, revision, env and Secret, resources — and only the readiness probe', () => {
    const migrate = job('migrate');
    expect(migrate.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'migrate', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'tutti' });
    expect(migrate.metadata?.annotations?.['tutti.dev/applied']).toMatch(/^[0-9a-f]{12}$/);
    const template = migrate.spec!.template;
    expect(template.metadata?.labels).toEqual(migrate.metadata?.labels);
    expect(template.metadata?.annotations?.['tutti.dev/revision']).toBe('rev-migrate');
    expect(template.metadata?.annotations?.['tutti.dev/env-hash']).toMatch(/^[0-9a-f]{12}$/);
    const c = template.spec!.containers[0];
    expect(c.args).toEqual(['migrate', 'up']);
    expect(c.env?.find((e) => e.name === 'DB_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'migrate-env', key: 'DB_PASSWORD' } });
    expect(c.env?.find((e) => e.name === 'DB_URL')?.value).toBe('tcp://db.prod.svc:5432');
    expect(c.resources).toEqual({ limits: { memory: '128Mi' } });
    expect(c.readinessProbe?.httpGet?.path).toBe('/healthz');
    expect([c.startupProbe, c.livenessProbe]).toEqual([undefined, undefined]);
    expect(JSON.stringify(migrate)).not.toContain('hunter2');
  });

  it('changes the Job\'s hash when the image or the replicas change, and only then', () => {
    const input = { spec: stack.services.seed, stack: 'shop', namespace: 'prod', replicas: 3 };
    const hash = (o: V1Job) => o.metadata?.annotations?.['tutti.dev/applied'];
    const base = renderJob(input).job;
    expect(hash(renderJob(input).job)).toBe(hash(base));
    expect(hash(renderJob({ ...input, replicas: 2 }).job)).not.toBe(hash(base));
    expect(hash(renderJob({ ...input, spec: { ...input.spec, image: 'ghcr.io/acme/seed:2' } }).job)).not.toBe(hash(base));
  });

  it('stops a job service with parallelism 0: a Job that runs no pod', () => {
    const stopped = renderJob({ spec: stack.services.seed, stack: 'shop', namespace: 'prod', replicas: 0 }).job;
    expect(stopped.spec).toMatchObject({ parallelism: 0, completions: 1 });
    expect(() => new Job(stopped as never).validate()).not.toThrow();
  });
});

describe('renderControlPlane', () => {
  const objects = renderControlPlane({ namespace: 'ops', image: 'registry.example/tutti:1' });

  it('validates against the Kubernetes OpenAPI schema', () => {
    const models: Record<string, (o: never) => { validate(): void }> = {
      ServiceAccount: (o) => new ServiceAccount(o), Role: (o) => new Role(o), RoleBinding: (o) => new RoleBinding(o),
      Service: (o) => new Service(o), Deployment: (o) => new Deployment(o),
    };
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Service', 'Deployment']);
    for (const o of objects) expect(() => models[o.kind!](o as never).validate(), o.kind).not.toThrow();
  });

  it('grants only namespaced rights, no wildcard, and only reads on pods, logs and events', () => {
    const role = objects.find((o) => o.kind === 'Role') as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
    const flat = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => [g ? `${g}/${res}` : res, r.verbs.join(',')])));
    expect(Object.fromEntries(flat)).toEqual({
      'apps/deployments': 'get,list,watch,create,patch,delete',
      'batch/jobs': 'get,list,watch,create,patch,delete',
      services: 'get,list,watch,create,patch,delete',
      secrets: 'get,list,watch,create,patch,delete',
      pods: 'get,list,watch',
      'pods/log': 'get',
      events: 'list',
      'metrics.k8s.io/pods': 'get,list',
    });
    expect(JSON.stringify(objects)).not.toContain('"*"');
  });

  it('runs `tutti server` on the kubernetes runtime as its ServiceAccount, not labelled as a stack service', () => {
    const d = objects.find((o) => o.kind === 'Deployment') as V1Deployment;
    const pod = d.spec!.template.spec!;
    expect(pod.serviceAccountName).toBe('tutti');
    expect(pod.containers[0].args).toEqual(['server', '--dir', '/data', '--host', '0.0.0.0', '--port', '8080', '--runtime', 'kubernetes', '--namespace', 'ops']);
    expect(d.metadata?.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  });
});
