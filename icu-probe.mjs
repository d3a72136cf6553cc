import fs from 'node:fs';
const nodeRss = () => { const s = fs.readFileSync('/proc/self/smaps', 'utf8'); let name = '', t = 0; for (const l of s.split('\n')) { const a = l.split(/\s+/); if (/^[0-9a-f]+-/.test(l)) name = a[5] || ''; else if (a[0] === 'Rss:' && name === '/usr/bin/node') t += +a[1]; } return (t / 1024).toFixed(1); };
let prev = nodeRss(); console.log('start', prev);
for (const m of process.argv.slice(2)) { await import(m); const n = nodeRss(); console.log(m.padEnd(40), n, '+' + (n - prev).toFixed(1)); prev = n; }
