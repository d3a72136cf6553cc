// Re-exports functions of a WebAssembly binary by their debug names. The jq-web package ships
// libjq compiled to wasm with only `main` exported, but keeps the binary's `name` section; by
// adding export entries for libjq's own functions (jq_init, jq_compile_args, jq_next, jv_parse…)
// we can compile a filter once and run it many times, instead of paying jq's whole `main`
// (argument parsing, builtins compilation, stdio) on every evaluation.

/** A byte cursor over a wasm binary, reading the LEB128 integers its sections are made of. */
class Reader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0) {
    this.pos = pos;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new Error('truncated wasm binary');
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  name(): string {
    const len = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }
}

function u32Bytes(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function nameBytes(text: string): number[] {
  const utf8 = new TextEncoder().encode(text);
  return [...u32Bytes(utf8.length), ...utf8];
}

interface Section {
  id: number;
  start: number; // offset of the id byte
  bodyStart: number;
  end: number;
}

function sections(bytes: Uint8Array): Section[] {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm binary');
  const out: Section[] = [];
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = bytes[r.pos++];
    const size = r.u32();
    out.push({ id, start, bodyStart: r.pos, end: r.pos + size });
    r.pos += size;
  }
  return out;
}

/** Function index by debug name, from the `name` custom section (subsection 1). */
export function functionNames(bytes: Uint8Array): Map<string, number> {
  const names = new Map<string, number>();
  for (const s of sections(bytes)) {
    if (s.id !== 0) continue;
    const r = new Reader(bytes, s.bodyStart);
    if (r.name() !== 'name') continue;
    while (r.pos < s.end) {
      const sub = bytes[r.pos++];
      const size = r.u32();
      const subEnd = r.pos + size;
      if (sub === 1) {
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          const index = r.u32();
          const fn = r.name();
          if (!names.has(fn)) names.set(fn, index);
        }
      }
      r.pos = subEnd;
    }
  }
  return names;
}

/**
 * A copy of `bytes` whose export section also exports each function in `wanted` under its own
 * name. Throws naming the first function the binary does not contain.
 */
export function exportFunctionsByName(bytes: Uint8Array, wanted: readonly string[]): Uint8Array {
  const names = functionNames(bytes);
  const all = sections(bytes);
  const exportSection = all.find((s) => s.id === 7);
  if (!exportSection) throw new Error('wasm binary has no export section');
  const r = new Reader(bytes, exportSection.bodyStart);
  const count = r.u32();
  const entriesStart = r.pos;
  const existing = new Set<string>();
  for (let i = 0; i < count; i++) {
    existing.add(r.name());
    r.pos++; // kind
    r.u32(); // index
  }
  const added: number[] = [];
  let addedCount = 0;
  for (const fn of wanted) {
    const index = names.get(fn);
    if (index === undefined) throw new Error(`the jq wasm binary has no function named ${fn}`);
    if (existing.has(fn)) continue;
    added.push(...nameBytes(fn), 0x00, ...u32Bytes(index));
    addedCount++;
  }
  const body = [...u32Bytes(count + addedCount), ...bytes.subarray(entriesStart, exportSection.end), ...added];
  const header = [7, ...u32Bytes(body.length)];
  const out = new Uint8Array(bytes.length - (exportSection.end - exportSection.start) + header.length + body.length);
  out.set(bytes.subarray(0, exportSection.start), 0);
  out.set(header, exportSection.start);
  out.set(body, exportSection.start + header.length);
  out.set(bytes.subarray(exportSection.end), exportSection.start + header.length + body.length);
  return out;
}
