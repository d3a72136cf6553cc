// The few WebAssembly JS API types this folder needs. The project compiles without the DOM lib
// and @types/node 20 does not declare them, so they are described here and taken from globalThis.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export type WasmImports = Record<string, Record<string, unknown>>;

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface WasmModule {}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => { exports: Record<string, unknown> };
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
