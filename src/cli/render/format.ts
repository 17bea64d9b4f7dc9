/** `--format` for list commands: `json` (one object per line), `table` (default), or a Go template subset. */
import { reject } from '../../commands/rejection.js';
import { jsonLine } from './json.js';
import { tabwrite } from './table.js';

/**
 * Renders `{{.Field}}` / `{{json .Field}}` / `{{json .}}` placeholders, and `\t` as a column break
 * when the template starts with `table ` (its header row comes from the field names).
 */
export function renderTemplate(template: string, rows: Record<string, unknown>[], headers: Record<string, string>): string {
  // Go's text/template refuses an action left open, before anything is printed.
  if (/\{\{(?![^]*?\}\})/.test(template)) reject('template parsing error: template: :1: unclosed action');
  const isTable = template.startsWith('table ');
  const body = (isTable ? template.slice(6) : template).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const fill = (row: Record<string, unknown> | null): string =>
    body.replace(/\{\{\s*(json\s+)?\.([A-Za-z0-9_.]*)\s*\}\}/g, (_, json: string | undefined, field: string) => {
      if (row === null) return headers[field] ?? field.toUpperCase();
      const v = field === '' ? row : field.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), row);
      if (json) return field === '' ? jsonLine(row).trimEnd() : JSON.stringify(v ?? null);
      return goValue(v);
    });
  if (!isTable) return rows.map((r) => fill(r) + '\n').join('');
  return tabwrite([fill(null), ...rows.map(fill)].map((l) => l.split('\t')));
}

/** How Go's text/template prints a value: maps as map[k:v], lists as [a b], nil as <no value>. */
function goValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}

/** `inspect --format TEMPLATE`: the template applied to each inspected object, one per line. */
export function renderInspect(format: string | undefined, objects: Record<string, unknown>[], json: () => string): string {
  if (format === undefined || format === '' || format === 'json') return json();
  return renderTemplate(format, objects, {});
}

export function renderList(format: string | undefined, rows: Record<string, unknown>[], headers: Record<string, string>, table: () => string): string {
  if (format === undefined || format === '' || format === 'table') return table();
  if (format === 'json') return rows.map((r) => jsonLine(r)).join('');
  return renderTemplate(format, rows, headers);
}
