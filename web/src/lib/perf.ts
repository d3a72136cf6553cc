// Timing of live updates, read by bench/dashboard.js: from a message's arrival to the page
// being rendered and laid out again (parse, state, Preact's diff, style and layout), recorded
// as performance measures `tutti:<what>-update`. Pages call perfRendered() after committing.

const pending = new Map<string, number>();

/** `at`: when the message arrived (before parsing), default now */
export function perfStart(what: string, at = performance.now()): void {
  pending.set(what, at);
}

/** The message's own work is done; the measure ends once the page has rendered it. */
export function perfFinish(what: string): void {
  if (!pending.has(what)) return;
  // a page that renders nothing for it would leave the start hanging: end it next frame
  requestAnimationFrame(() => perfRendered());
}

/** Called after a page committed: forces layout, then closes every open measure. */
export function perfRendered(): void {
  if (pending.size === 0) return;
  void document.body.offsetHeight;
  const end = performance.now();
  for (const [what, start] of pending) performance.measure(`tutti:${what}-update`, { start, end });
  pending.clear();
}
