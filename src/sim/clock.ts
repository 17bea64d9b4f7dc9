/** Rendering virtual time the way Docker renders wall-clock time. */

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano prints UTC. */
export function rfc3339Nano(epochMs: number, atMs: number): string {
  const d = new Date(epochMs + atMs);
  const iso = d.toISOString(); // 2024-01-01T00:00:00.000Z
  const [base, frac] = [iso.slice(0, 19), iso.slice(20, 23)];
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

/**
 * go-units HumanDuration (docker/go-units duration.go), as `docker ps` STATUS (`Up About a minute`),
 * `CREATED … ago` and `service ps` CURRENT STATE (lower-cased there) print it: seconds and minutes
 * truncated, hours rounded.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
