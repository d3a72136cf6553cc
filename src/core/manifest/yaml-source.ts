// The manifest's YAML text parsed with positions kept, so every later error can name the
// file, line and column of the node it is about. Syntax errors stop here.

import { basename } from 'node:path';
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { TuttiError } from '../errors.js';

export type ManifestPath = Array<string | number>;

export interface Position {
  line: number;   // 1-based
  column: number; // 1-based
}

export interface YamlSource {
  doc: Document.Parsed;
  lines: LineCounter;
  /** how the file is named in messages: its base name, e.g. tutti.yaml */
  label: string;
}

/** Parses YAML text; a syntax error becomes TUTTI_E_MANIFEST_SYNTAX naming file:line:column. */
export function parseYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  const label = basename(file);
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const at = e.linePos?.[0] ?? { line: 1, col: 1 };
      const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { path: '', line: at.line, column: at.col, message: `YAML syntax error in ${label}:${at.line}:${at.col}: ${reason}` };
    });
    throw new TuttiError('TUTTI_E_MANIFEST_SYNTAX', errors[0].message, {
      hint: 'Check the indentation and quoting on that line (YAML indents with spaces, never tabs).',
      details: { file, errors },
    });
  }
  return { doc, lines, label };
}

/** `<<`, which yaml represents by a symbol when merge keys are on */
function isMergeKey(node: unknown): boolean {
  return isScalar(node) && (node.value === '<<' || (typeof node.value === 'symbol' && node.value.description === '<<'));
}

function isEmpty(node: unknown): boolean {
  return node === null || (isScalar(node) && node.range !== undefined && node.range !== null && node.range[0] === node.range[1]);
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * The YAML node at a data path, following aliases and `<<` merge keys; with `key`, the key
 * of the last segment instead of its value. Falls back to the deepest node that exists.
 */
export function nodeAt(src: YamlSource, path: ManifestPath, opts: { key?: boolean } = {}): Node | undefined {
  let node: unknown = src.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    while (isAlias(node)) node = node.resolve(src.doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = findPair(src, node.items, path[i]);
      // an empty value (`api:` and nothing) has no text of its own to point at: use its key
      if (pair) next = last && (opts.key || isEmpty(pair.value)) ? pair.key : pair.value;
    } else if (isSeq(node) && typeof path[i] === 'number') {
      next = node.items[path[i] as number];
    }
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as Node | undefined;
}

function findPair(src: YamlSource, items: unknown[], key: string | number): Pair | undefined {
  for (const pair of items) {
    if (isPair(pair) && String(keyOf(pair.key)) === String(key)) return pair;
  }
  // keys merged in with `<<: *anchor` live in the anchored map
  for (const pair of items) {
    if (!isPair(pair) || !isMergeKey(pair.key)) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (let source of sources) {
      while (isAlias(source)) source = source.resolve(src.doc);
      if (isMap(source)) {
        const found: Pair | undefined = findPair(src, source.items, key);
        if (found) return found;
      }
    }
  }
  return undefined;
}

export function positionOf(src: YamlSource, node: Node | undefined): Position {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = src.lines.linePos(offset);
  return { line, column: col };
}

export function locate(src: YamlSource, path: ManifestPath, opts: { key?: boolean } = {}): Position {
  return positionOf(src, nodeAt(src, path, opts));
}

/** `services.orders.command[1]`, as paths are shown to people. */
export function formatPath(path: ManifestPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
