// Orders names the way people count: web-2 before web-10. Plain code-unit comparison with
// runs of digits compared as numbers — deliberately not localeCompare, whose ICU collation
// data costs the daemon several MiB of memory the first time it is used.

const PART = /(\d+)|(\D+)/g;

export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const pa = a.match(PART) ?? [];
  const pb = b.match(PART) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
      return x.length - y.length; // 007 after 7
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
