// Byte sizes in the manifest: `10MB`, `512KiB`, `1G`, `256Mi` or a number of bytes; every unit
// is binary (M = MB = Mi = MiB = 2^20), as docker compose reads them.

const UNITS: Record<string, number> = {
  b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  // Kubernetes' binary suffixes, and terabytes, for `resources.memory`
  ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4, ti: 1024 ** 4,
};

export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  if (!unit) return undefined;
  const n = Math.round(Number(m[1]) * unit);
  return n > 0 ? n : undefined;
}

export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]([iI]?[bB])?|[bB])?\\s*$';
