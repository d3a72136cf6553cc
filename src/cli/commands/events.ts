// `tutti events send`: publishes a CloudEvent to the control plane's event bus, where a
// workflow's `listen` (or a schedule's `on`) waits for it. Extension attributes, which
// correlation often matches on, are given with --attr name=value.

import type { Command } from 'commander';
import { TuttiError } from '../../core/index.js';
import type { EventInput } from '../../client/index.js';
import { printJson, type GlobalOptions } from '../output.js';
import { workflowClient } from './workflow.js';
import { attributeFlags, jsonFlag } from './workflow-flags.js';

export interface SendFlags {
  type?: string;
  source?: string;
  data?: string;
  subject?: string;
  id?: string;
  attr?: string[];
}

const OWN_FLAGS: ReadonlySet<string> = new Set(['type', 'source', 'data', 'subject', 'id']);

function required(flag: string, value: string | undefined, example: string): string {
  if (value === undefined || value.trim() === '') {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${flag} is required`, { hint: `every CloudEvent names its ${flag.slice(2)}, e.g. ${flag} ${example}`, details: { flag } });
  }
  return value;
}

/** The event the flags describe; throws naming the first bad flag. */
export function eventFromFlags(f: SendFlags, read?: (file: string) => string): EventInput {
  const event: EventInput = {
    type: required('--type', f.type, 'com.example.order.paid'),
    source: required('--source', f.source, '/payments'),
    ...attributeFlags(f.attr, OWN_FLAGS),
  };
  if (f.id !== undefined) event.id = f.id;
  if (f.subject !== undefined) event.subject = f.subject;
  if (f.data !== undefined) {
    event.data = jsonFlag('--data', f.data, read);
    event.datacontenttype = 'application/json';
  }
  return event;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerEvents(program: Command): void {
  const events = program.command('events').description("publish CloudEvents to the control plane's event bus");

  events
    .command('send')
    .description('publish one CloudEvent (workflows listening for it wake up)')
    .option('--type <type>', 'the event type, e.g. com.example.order.paid')
    .option('--source <uri>', 'where it comes from, e.g. /payments')
    .option('--data <json>', 'its data: JSON, @file, or @- for stdin')
    .option('--subject <subject>', 'its subject')
    .option('--id <id>', 'its id (default: a new UUID)')
    .option('--attr <name=value>', 'an extension attribute (repeatable), e.g. --attr orderid=o-1', collect)
    .action(async (o: SendFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const event = eventFromFlags(o);
      const sent = await (await workflowClient(g)).sendEvent(event);
      if (g.json) return printJson(sent);
      process.stdout.write(`sent ${sent.id} (seq ${sent.seq})\n`);
    });
}
