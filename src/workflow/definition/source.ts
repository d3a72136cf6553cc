// A workflow document's text (YAML or JSON — JSON is YAML) parsed with node positions kept, so
// every later problem can name the line and column of the node its JSON pointer designates.

import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

export interface Problem {
  pointer: string;
  message: string;
}

export interface LocatedProblem extends Problem {
  line: number;
  column: number;
}

export interface WorkflowSource {
  value: unknown;
  /** position of the node at a JSON pointer (of its key, with `key`), or of its nearest existing ancestor */
  locate(pointer: string, opts?: { key?: boolean }): Position;
}

export type ParseResult = { ok: true; source: WorkflowSource } | { ok: false; problems: LocatedProblem[] };

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function parseSource(text: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { pointer: '', line: at.line, column: at.col, message: `syntax error: ${reason}` };
      }),
    };
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  return {
    ok: true,
    source: {
      value,
      locate(pointer, opts = {}) {
        const node = nodeAt(doc, parsePointer(pointer), opts.key ?? false);
        const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
        return { line, column: col };
      },
    },
  };
}

function nodeAt(doc: Document.Parsed, path: string[], key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    while (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === path[i]);
      if (pair) {
        const last = i === path.length - 1;
        // an empty value has no text of its own: point at its key
        next = last && (key || pair.value === null) ? pair.key : pair.value;
      }
    } else if (isSeq(node) && /^\d+$/.test(path[i])) {
      next = node.items[Number(path[i])];
    }
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as Node | undefined;
}
