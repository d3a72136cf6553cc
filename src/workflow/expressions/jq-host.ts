// The host side of the jq wasm binary: the handful of libc/emscripten imports libjq needs when
// it runs as a library (clock, time conversions, memory growth, stderr). jq-web's own glue is
// an emscripten runtime meant for running jq's `main` once per call; this replaces it with the
// little a compile-once, run-many driver uses. There is deliberately no file system and an
// empty environment: expressions cannot read files, and `$ENV`/`env` expose none of the
// daemon's variables (secrets live in `$secret`, nowhere else).

import type { WasmImports, WasmMemory } from './wasm-types.js';

export interface HostMemory {
  memory?: WasmMemory;
}

export interface Host {
  imports: WasmImports;
  /** text written to stderr since the last call (compile errors, `debug`, `stderr`) */
  takeStderr(): string;
}

const WASM_PAGE = 65536;
const MAX_HEAP = 2 ** 31;

export function createHost(ref: HostMemory): Host {
  let stderr = '';
  const decoder = new TextDecoder();
  const u8 = () => new Uint8Array(ref.memory!.buffer);
  const i32 = () => new Int32Array(ref.memory!.buffer);
  const u32 = () => new Uint32Array(ref.memory!.buffer);
  const cstring = (ptr: number): string => {
    const bytes = u8();
    let end = ptr;
    while (bytes[end] !== 0) end++;
    return decoder.decode(bytes.subarray(ptr, end));
  };
  const writeTm = (tmPtr: number, date: Date) => {
    const heap = i32();
    const i = tmPtr >> 2;
    heap[i] = date.getUTCSeconds();
    heap[i + 1] = date.getUTCMinutes();
    heap[i + 2] = date.getUTCHours();
    heap[i + 3] = date.getUTCDate();
    heap[i + 4] = date.getUTCMonth();
    heap[i + 5] = date.getUTCFullYear() - 1900;
    heap[i + 6] = date.getUTCDay();
    heap[i + 7] = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000);
    heap[i + 8] = 0; // tm_isdst
    heap[i + 9] = 0; // tm_gmtoff
  };
  const fail = (what: string) => () => {
    throw new Error(`jq wasm called ${what}, which the expression engine does not provide`);
  };
  const noSys = () => -52; // -ENOSYS: no file system here

  const env = {
    exit: (code: number) => {
      throw new Error(`jq wasm exited with status ${code}`);
    },
    __assert_fail: (cond: number, file: number, line: number) => {
      throw new Error(`jq assertion failed: ${cstring(cond)} at ${cstring(file)}:${line}`);
    },
    _abort_js: fail('abort'),
    __call_sighandler: fail('a signal handler'),
    _emscripten_runtime_keepalive_clear: () => {},
    emscripten_date_now: () => Date.now(),
    emscripten_resize_heap: (requested: number) => {
      const memory = ref.memory!;
      const size = requested >>> 0;
      if (size > MAX_HEAP) return 0;
      // grow geometrically, as emscripten does, so a growing value does not grow page by page
      const target = Math.min(MAX_HEAP, Math.max(size, memory.buffer.byteLength * 1.25));
      const pages = Math.ceil((target - memory.buffer.byteLength) / WASM_PAGE);
      try {
        memory.grow(pages);
        return 1;
      } catch {
        return 0;
      }
    },
    // Local time is UTC: a run must evaluate the same on every machine and after a resume.
    _tzset_js: (timezone: number, daylight: number, stdName: number, dstName: number) => {
      u32()[timezone >> 2] = 0;
      i32()[daylight >> 2] = 0;
      const bytes = u8();
      bytes.set([85, 84, 67, 0], stdName); // "UTC"
      bytes.set([85, 84, 67, 0], dstName);
    },
    _gmtime_js: (time: bigint, tmPtr: number) => writeTm(tmPtr, new Date(Number(time) * 1000)),
    _localtime_js: (time: bigint, tmPtr: number) => writeTm(tmPtr, new Date(Number(time) * 1000)),
    _timegm_js: (tmPtr: number) => {
      const heap = i32();
      const i = tmPtr >> 2;
      const ms = Date.UTC(heap[i + 5] + 1900, heap[i + 4], heap[i + 3], heap[i + 2], heap[i + 1], heap[i]);
      writeTm(tmPtr, new Date(ms));
      return BigInt(Math.floor(ms / 1000));
    },
    strptime: (buf: number, format: number, tmPtr: number) => strptime(cstring(buf), cstring(format), tmPtr, buf, i32()),
    __syscall_fcntl64: noSys,
    __syscall_ioctl: noSys,
    __syscall_openat: () => -44, // -ENOENT
    __syscall_fstat64: noSys,
    __syscall_stat64: () => -44,
    __syscall_newfstatat: () => -44,
    __syscall_lstat64: () => -44,
    __syscall_getcwd: noSys,
    __syscall_readlinkat: noSys,
  };
  const wasi = {
    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      const heap = u32();
      heap[countPtr >> 2] = 0;
      heap[sizePtr >> 2] = 0;
      return 0;
    },
    environ_get: () => 0,
    fd_close: () => 0,
    fd_read: () => 8, // EBADF
    fd_seek: () => 70, // ESPIPE
    fd_fdstat_get: (_fd: number, statPtr: number) => {
      u8().fill(0, statPtr, statPtr + 24);
      u8()[statPtr] = 2; // character device
      return 0;
    },
    fd_write: (fd: number, iov: number, iovcnt: number, written: number) => {
      const heap = u32();
      let total = 0;
      for (let k = 0; k < iovcnt; k++) {
        const ptr = heap[(iov >> 2) + k * 2];
        const len = heap[(iov >> 2) + k * 2 + 1];
        if (fd === 2) stderr += decoder.decode(new Uint8Array(ref.memory!.buffer, ptr, len));
        total += len;
      }
      u32()[written >> 2] = total;
      return 0;
    },
    proc_exit: (code: number) => {
      throw new Error(`jq wasm exited with status ${code}`);
    },
  };
  return {
    imports: { env, wasi_snapshot_preview1: wasi },
    takeStderr() {
      const out = stderr;
      stderr = '';
      return out;
    },
  };
}

/**
 * The subset of strptime(3) jq's date builtins use (`strptime`, `fromdate`,
 * `fromdateiso8601`): %Y %m %d %e %H %M %S %j %y %Z %z %T %F %%, whitespace and literals.
 * Returns a pointer past the consumed text, or 0 when the text does not match.
 */
function strptime(text: string, format: string, tmPtr: number, base: number, heap: Int32Array): number {
  const fmt = format.replace(/%T/g, '%H:%M:%S').replace(/%F/g, '%Y-%m-%d');
  const t = { sec: 0, min: 0, hour: 0, mday: 1, mon: 0, year: 70 };
  let pos = 0;
  const num = (maxDigits: number): number | undefined => {
    const m = /^[+-]?\d+/.exec(text.slice(pos, pos + maxDigits + 1));
    if (!m || m[0].length > maxDigits + (/^[+-]/.test(m[0]) ? 1 : 0)) return undefined;
    pos += m[0].length;
    return Number(m[0]);
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      if (/\s/.test(c)) {
        while (pos < text.length && /\s/.test(text[pos])) pos++;
      } else if (text[pos] === c) pos++;
      else return 0;
      continue;
    }
    const spec = fmt[++i];
    let v: number | undefined;
    switch (spec) {
      case 'Y': v = num(4); if (v !== undefined) t.year = v - 1900; break;
      case 'y': v = num(2); if (v !== undefined) t.year = v < 69 ? v + 100 : v; break;
      case 'm': v = num(2); if (v !== undefined) t.mon = v - 1; break;
      case 'd': case 'e': while (text[pos] === ' ') pos++; v = num(2); if (v !== undefined) t.mday = v; break;
      case 'H': v = num(2); if (v !== undefined) t.hour = v; break;
      case 'M': v = num(2); if (v !== undefined) t.min = v; break;
      case 'S': v = num(2); if (v !== undefined) t.sec = v; break;
      case 'j': v = num(3); if (v !== undefined) { t.mon = 0; t.mday = v; } break;
      case 'Z': { const m = /^[A-Za-z]+/.exec(text.slice(pos)); v = m ? 0 : undefined; if (m) pos += m[0].length; break; }
      case 'z': { const m = /^(Z|[+-]\d\d:?\d\d)/.exec(text.slice(pos)); v = m ? 0 : undefined; if (m) pos += m[0].length; break; }
      case '%': v = text[pos] === '%' ? 0 : undefined; if (v !== undefined) pos++; break;
      default: return 0;
    }
    if (v === undefined) return 0;
  }
  const date = new Date(Date.UTC(t.year + 1900, t.mon, t.mday, t.hour, t.min, t.sec));
  const i = tmPtr >> 2;
  heap[i] = t.sec;
  heap[i + 1] = t.min;
  heap[i + 2] = t.hour;
  heap[i + 3] = t.mday;
  heap[i + 4] = t.mon;
  heap[i + 5] = t.year;
  heap[i + 6] = date.getUTCDay();
  heap[i + 7] = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000);
  return base + new TextEncoder().encode(text.slice(0, pos)).length;
}
