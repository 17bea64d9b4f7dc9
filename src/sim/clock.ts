/** Rendering virtual time the way Docker renders wall-clock time. */

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano prints UTC. */
export function rfc3339Nano(epochMs: number, atMs: number): string {
  const d = new Date(epochMs + atMs);
  const iso = d.toISOString(); // 2024-01-01T00:00:00.000Z
  const [base, frac] = [iso.slice(0, 19), iso.slice(20, 23)];
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

/** go-units HumanDuration, lower-cased as docker/cli prints it in `service ps` and `ps`. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(ms / 60000);
  if (m === 1) return 'about a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(ms / 3600000);
  if (h === 1) return 'about an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}
