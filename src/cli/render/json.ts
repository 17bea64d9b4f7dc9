/** JSON as Go's encoding/json writes it: HTML-safe escapes; MarshalIndent with 4 spaces for inspect. */

function goEscape(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** `docker inspect`'s output: an indented JSON array. */
export function inspectJson(values: unknown[]): string {
  return goEscape(JSON.stringify(values, null, 4)) + '\n';
}

/** One compact object per line, as `--format json` prints (keys sorted, as a Go map marshals). */
export function jsonLine(obj: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) sorted[k] = obj[k];
  return goEscape(JSON.stringify(sorted)) + '\n';
}
