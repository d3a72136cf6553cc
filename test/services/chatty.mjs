// Test service: writes LINES lines of about 100 bytes as fast as the pipe takes them, then idles.
const total = Number(process.env.LINES ?? 10000);
const pad = 'x'.repeat(90);
let i = 0;
function write() {
  while (i < total) {
    i++;
    if (!process.stdout.write(`line ${i} ${pad}\n`)) return process.stdout.once('drain', write);
  }
  console.log('chatty done');
}
write();
setInterval(() => {}, 1 << 30);
