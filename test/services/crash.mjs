// Test service: prints a line, then exits with EXIT_CODE (default 1) after CRASH_AFTER_MS.
// With ONCE_FILE set, it crashes only when that file does not exist yet (creating it), so it
// crashes once and then stays up.
import { existsSync, writeFileSync } from 'node:fs';

console.log(`starting pid ${process.pid} port ${process.env.PORT}`);
const once = process.env.ONCE_FILE;
if (once && existsSync(once)) {
  console.log('staying up');
  setInterval(() => {}, 1 << 30);
} else {
  if (once) writeFileSync(once, 'crashed');
  setTimeout(() => {
    console.error(`fatal: giving up with code ${process.env.EXIT_CODE ?? 1}`);
    process.exit(Number(process.env.EXIT_CODE ?? 1));
  }, Number(process.env.CRASH_AFTER_MS ?? 50));
}
