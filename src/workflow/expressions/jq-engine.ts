// A compile-once, run-many driver for libjq (jq 1.7, from the jq-web package's wasm build).
// Each compiled program is a `jq_state*` inside one shared wasm instance; a run parses the
// input JSON inside wasm, steps `jq_next` until the stream ends and dumps each output back as
// JSON text. The instance is created on first use (about 2.7 MB of code plus a 16 MB+ heap),
// so a process that never evaluates an expression never pays for it.
//
// C ABI notes (wasm32, clang): a `jv` is a 16-byte struct, passed by pointer to a copy
// ("byval") and returned through a hidden first pointer ("sret"). Functions that take a jv by
// value consume it (jq's reference counting), except the getters noted below.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exportFunctionsByName } from './wasm-exports.js';
import { createHost, type Host, type HostMemory } from './jq-host.js';
import { Wasm, type WasmMemory, type WasmModule } from './wasm-types.js';

const LIBJQ_FUNCTIONS = [
  'jq_init', 'jq_compile_args', 'jq_start', 'jq_next', 'jq_teardown', 'jq_halted', 'jq_get_error_message',
  'jv_parse_sized', 'jv_dump_string', 'jv_string_value', 'jv_get_kind', 'jv_free', 'jv_object',
  'jv_invalid_get_msg', 'jv_mem_alloc', 'jv_mem_free',
] as const;

type Fn = (...args: number[]) => number;
type LibJq = Record<(typeof LIBJQ_FUNCTIONS)[number] | '__wasm_call_ctors', Fn> & { memory: WasmMemory };

const JV_KIND_INVALID = 0;
const JV_KIND_NULL = 1;
const JV_KIND_STRING = 5;
const JV_SIZE = 16;

let wasmModule: WasmModule | undefined;

/** The patched binary, compiled once per process (instances are cheap next to this). */
function jqModule(): WasmModule {
  if (!wasmModule) {
    const require = createRequire(import.meta.url);
    const original = readFileSync(require.resolve('jq-web/jq.wasm'));
    wasmModule = new Wasm.Module(exportFunctionsByName(original, LIBJQ_FUNCTIONS));
  }
  return wasmModule!;
}

export type CompileResult = { ok: true; state: number } | { ok: false; message: string };
export type RunResult = { ok: true; outputs: string[] } | { ok: false; message: string; value?: string };

/** One wasm instance of libjq. Not re-entrant: every call runs to completion synchronously. */
export class JqEngine {
  private readonly lib: LibJq;
  private readonly host: Host;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();
  private bytes: Uint8Array;
  /** four jv slots for sret results and byval arguments (slot 3: dumps and teardown) */
  private readonly scratch: number;
  private inputBuf = 0;
  private inputCap = 0;
  /** set when a call trapped (out of memory, assertion): the instance must not be used again */
  broken = false;

  constructor() {
    const ref: HostMemory = {};
    this.host = createHost(ref);
    const instance = new Wasm.Instance(jqModule(), this.host.imports);
    this.lib = instance.exports as unknown as LibJq;
    ref.memory = this.lib.memory;
    this.lib.__wasm_call_ctors();
    this.bytes = new Uint8Array(this.lib.memory.buffer);
    this.scratch = this.lib.jv_mem_alloc(JV_SIZE * 4);
  }

  private heap(): Uint8Array {
    if (this.bytes.buffer !== this.lib.memory.buffer) this.bytes = new Uint8Array(this.lib.memory.buffer);
    return this.bytes;
  }

  private slot(i: number): number {
    return this.scratch + i * JV_SIZE;
  }

  /** Copies `text` into wasm memory as UTF-8 (NUL-terminated); returns [pointer, byte length]. */
  private put(text: string): [number, number] {
    const need = text.length * 3 + 1;
    if (need > this.inputCap) {
      if (this.inputBuf) this.lib.jv_mem_free(this.inputBuf);
      this.inputCap = Math.max(need, 4096);
      this.inputBuf = this.lib.jv_mem_alloc(this.inputCap);
    }
    const heap = this.heap();
    const { written } = this.encoder.encodeInto(text, heap.subarray(this.inputBuf, this.inputBuf + this.inputCap - 1));
    heap[this.inputBuf + written] = 0;
    return [this.inputBuf, written];
  }

  private cstring(ptr: number): string {
    const heap = this.heap();
    return this.decoder.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
  }

  /** Text of the jv in slot `i` (a string's value, anything else as JSON); frees it. */
  private takeText(i: number): { text: string; isString: boolean } {
    const lib = this.lib;
    const isString = lib.jv_get_kind(this.slot(i)) === JV_KIND_STRING;
    let at = i;
    if (!isString) {
      lib.jv_dump_string(this.slot(3), this.slot(i), 0); // consumes slot i
      at = 3;
    }
    const text = this.cstring(lib.jv_string_value(this.slot(at)));
    lib.jv_free(this.slot(at));
    return { text, isString };
  }

  /** The jv in slot `i` as JSON text; frees it. */
  private takeJson(i: number): string {
    const lib = this.lib;
    lib.jv_dump_string(this.slot(3), this.slot(i), 0); // consumes slot i
    const text = this.cstring(lib.jv_string_value(this.slot(3)));
    lib.jv_free(this.slot(3));
    return text;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.broken = true;
      throw e;
    }
  }

  compile(program: string): CompileResult {
    return this.guard(() => {
      const lib = this.lib;
      const state = lib.jq_init();
      this.host.takeStderr();
      const [text] = this.put(program);
      lib.jv_object(this.slot(0));
      // returns whether a program was produced (not an error count)
      const compiled = lib.jq_compile_args(state, text, this.slot(0));
      const stderr = this.host.takeStderr();
      if (compiled !== 0) return { ok: true, state } as const;
      this.teardown(state);
      return { ok: false, message: stderr } as const;
    });
  }

  teardown(state: number): void {
    if (this.broken) return;
    const heap = new DataView(this.lib.memory.buffer);
    heap.setUint32(this.slot(3), state, true);
    this.lib.jq_teardown(this.slot(3));
  }

  /** Runs a compiled program on one JSON text; every output comes back as JSON text. */
  run(state: number, inputJson: string): RunResult {
    return this.guard(() => {
      const lib = this.lib;
      const [ptr, len] = this.put(inputJson);
      lib.jv_parse_sized(this.slot(0), ptr, len);
      if (lib.jv_get_kind(this.slot(0)) === JV_KIND_INVALID) {
        lib.jv_invalid_get_msg(this.slot(1), this.slot(0));
        return { ok: false, message: `invalid input JSON: ${this.takeText(1).text}` } as const;
      }
      lib.jq_start(state, this.slot(0), 0);
      const outputs: string[] = [];
      for (;;) {
        lib.jq_next(this.slot(1), state);
        if (lib.jv_get_kind(this.slot(1)) !== JV_KIND_INVALID) {
          outputs.push(this.takeJson(1));
          continue;
        }
        lib.jv_invalid_get_msg(this.slot(2), this.slot(1));
        if (lib.jv_get_kind(this.slot(2)) !== JV_KIND_NULL) {
          const { text, isString } = this.takeText(2);
          return isString ? { ok: false, message: text } as const : { ok: false, message: `${text} (not a string)`, value: text } as const;
        }
        lib.jv_free(this.slot(2));
        if (lib.jq_halted(state)) {
          // `halt_error`: its message is the error; plain `halt` simply ends the stream
          lib.jq_get_error_message(this.slot(2), state);
          const kind = lib.jv_get_kind(this.slot(2));
          if (kind !== JV_KIND_INVALID && kind !== JV_KIND_NULL) {
            const { text } = this.takeText(2);
            return { ok: false, message: text.replace(/\n$/, '') } as const;
          }
          lib.jv_free(this.slot(2));
        }
        return { ok: true, outputs } as const;
      }
    });
  }
}
