import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { exportFunctionsByName, functionNames } from './wasm-exports.js';
import { Wasm } from './wasm-types.js';

const binary = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve('jq-web/jq.wasm')));

function exportNames(bytes: Uint8Array): string[] {
  const api = (globalThis as unknown as { WebAssembly: { Module: { exports(m: unknown): Array<{ name: string }> } } }).WebAssembly;
  return api.Module.exports(new Wasm.Module(bytes)).map((e) => e.name);
}

describe('wasm exports by name', () => {
  it('reads libjq function names from the name section', () => {
    const names = functionNames(binary);
    for (const fn of ['jq_init', 'jq_compile_args', 'jq_next', 'jv_parse_sized', 'jv_dump_string']) expect(names.has(fn)).toBe(true);
  });

  it('adds exports and keeps the existing ones', () => {
    const before = exportNames(binary);
    expect(before).not.toContain('jq_init');
    const after = exportNames(exportFunctionsByName(binary, ['jq_init', 'jq_next']));
    expect(after).toEqual([...before, 'jq_init', 'jq_next']);
  });

  it('names a function the binary does not have', () => {
    expect(() => exportFunctionsByName(binary, ['no_such_function'])).toThrow(/no function named no_such_function/);
  });
});
