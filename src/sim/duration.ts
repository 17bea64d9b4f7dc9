/** Go's time.ParseDuration and formatting, in integer milliseconds (sub-ms values round down). */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses `450ms`, `47s`, `1h30m`, `1.5h`, `0`; returns null when Go would refuse it. */
export function parseDurationMs(input: string): number | null {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return null;
  let totalNs = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) return null;
    totalNs += parseFloat(m[1]!) * UNIT_NS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * Math.floor(totalNs / 1e6);
}

/** Go's Duration.String() for a millisecond count: `1h30m0s`, `5s`, `450ms`, `0s`. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let v = Math.abs(ms);
  let out: string;
  if (v < 1000) out = `${v}ms`;
  else {
    const h = Math.floor(v / 3600000);
    v -= h * 3600000;
    const m = Math.floor(v / 60000);
    v -= m * 60000;
    const sec = v / 1000;
    const secStr = Number.isInteger(sec) ? String(sec) : String(sec).replace(/0+$/, '');
    out = (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${secStr}s`;
  }
  return neg ? '-' + out : out;
}
