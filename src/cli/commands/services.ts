// `tutti services`: every service the registry knows, declared by the stack or registered from
// outside, with its instance counts by health and the union of their tags.

import type { Command } from 'commander';
import pc from 'picocolors';
import type { ServiceSummary } from '../../client/index.js';
import { printJson, table, type GlobalOptions } from '../output.js';
import { connectRegistry } from './register.js';

export const SERVICE_HEADERS = ['SERVICE', 'INSTANCES', 'PASSING', 'WARNING', 'CRITICAL', 'TAGS', 'DECLARED'];

const count = (n: number, colour: (s: string) => string) => (n === 0 ? pc.dim('0') : colour(String(n)));

export function serviceRows(services: readonly ServiceSummary[]): string[][] {
  return services.map((s) => [
    s.name,
    String(s.instances),
    count(s.passing, pc.green),
    count(s.warning, pc.yellow),
    count(s.critical, pc.red),
    s.tags.length === 0 ? '-' : s.tags.join(','),
    s.declared ? 'yes' : 'no',
  ]);
}

export function registerServices(program: Command): void {
  program
    .command('services')
    .description('list the services in the registry with their instances by health')
    .action(async (_o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { services, dns } = await (await connectRegistry(g)).registryCatalog();
      if (g.json) return printJson(services);
      if (services.length === 0) {
        process.stdout.write(pc.dim('no services (declare them in tutti.yaml, or `tutti register` one)') + '\n');
      } else {
        process.stdout.write(table(SERVICE_HEADERS, serviceRows(services)) + '\n');
      }
      if (dns) process.stdout.write(pc.dim(`DNS: ${dns.host}:${dns.port} (dig @${dns.host} -p ${dns.port} <service>.service.tutti)`) + '\n');
    });
}
