// The one error a PromQL expression raises, at parse time (with the line and column of the
// offending token) or at evaluation time (vector matching conflicts, with no column). It is a
// TuttiError so that a malformed alert rule surfaces at `tutti up` like any manifest mistake.

import { TuttiError } from '../../core/errors.js';

export interface PromqlErrorOptions {
  /** 0-based offset into the expression text; the line and column are derived from it. */
  offset?: number;
  hint?: string;
}

export class PromqlError extends TuttiError {
  /** 1-based column of the offending token within its line; undefined for evaluation errors. */
  readonly column?: number;
  /** 1-based line; expressions written on one line are always line 1. */
  readonly line?: number;

  constructor(message: string, text: string | undefined, opts: PromqlErrorOptions = {}) {
    const where = text !== undefined && opts.offset !== undefined ? locate(text, opts.offset) : undefined;
    super('TUTTI_E_MANIFEST_INVALID', where ? withPosition(message, where) : message, {
      hint: opts.hint,
      details: where ? { line: where.line, column: where.column } : undefined,
    });
    this.name = 'PromqlError';
    this.line = where?.line;
    this.column = where?.column;
  }
}

interface Position {
  line: number;
  column: number;
  multiline: boolean;
}

/** Counts code points, not UTF-16 units, so a label value in any script keeps columns right. */
function locate(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return { line, column: [...before.slice(lineStart)].length + 1, multiline: text.includes('\n') };
}

/**
 * "unexpected ")"; expected X" becomes "unexpected ")" at column 17; expected X". The last
 * "; " is the cut: the clause after it is the parser's own words, while the part before may
 * quote the user's text, which can itself contain "; ".
 */
function withPosition(message: string, at: Position): string {
  const place = at.multiline ? `at line ${at.line}, column ${at.column}` : `at column ${at.column}`;
  const cut = message.lastIndexOf('; ');
  return cut < 0 ? `${message} ${place}` : `${message.slice(0, cut)} ${place}${message.slice(cut)}`;
}
