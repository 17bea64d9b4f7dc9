import { main } from './dist/src/cli/main.js';
import { BufferIo } from './dist/src/cli/io.js';
let peak = { rss: 0 };
const t = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peak.rss) peak = m; }, 200);
const code = await main(['--db', process.argv[2], 'run', '-q', process.argv[3]], new BufferIo(), {});
clearInterval(t);
const mb = (x) => Math.round(x / 1048576);
console.log('code', code, 'peak rss', mb(peak.rss), 'heapTotal', mb(peak.heapTotal), 'heapUsed', mb(peak.heapUsed), 'external', mb(peak.external), 'arrayBuffers', mb(peak.arrayBuffers));
