// Test service: logs COUNT pino-style JSON lines cycling through every level (every tenth one
// says "checkout <n>"), each followed by a plain line, then "levels done", and idles.
const count = Number(process.env.COUNT ?? 200);
const levels = [10, 20, 30, 40, 50, 60];
let out = '';
for (let i = 0; i < count; i++) {
  const msg = i % 10 === 0 ? `checkout ${i}` : `request ${i} served`;
  out += JSON.stringify({ level: levels[i % levels.length], time: Date.now(), pid: process.pid, hostname: 'test', msg, seq: i }) + '\n';
  out += `plain line ${i} ${'.'.repeat(30)}\n`;
}
out += JSON.stringify({ level: 30, time: Date.now(), msg: 'levels done' }) + '\n';
process.stdout.write(out);
setInterval(() => {}, 1 << 30);
