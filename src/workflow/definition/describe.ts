// How a value is shown inside a problem sentence: short, typed, never a whole document.

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const text = value.length > 40 ? `${value.slice(0, 37)}…` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const keys = Object.keys(value as object);
  if (keys.length === 0) return 'an empty mapping';
  const shown = keys.slice(0, 3).join(', ');
  return `a mapping with ${shown}${keys.length > 3 ? ', …' : ''}`;
}
