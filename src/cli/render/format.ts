/**
 * `--format` for list and inspect commands: `json`, `table` (default), or a Go template run by
 * gotemplate.ts as docker/cli runs it (cli/command/formatter/formatter.go, cli/command/inspect/inspector.go).
 */
import { reject, Rejection } from '../../commands/rejection.js';
import { GoTemplate, goFuncs, TemplateError, type Funcs } from './gotemplate.js';
import { jsonLine } from './json.js';
import { tabwrite } from './table.js';

/** docker/cli's formatJSON: encoding/json without HTML escapes, the trailing newline trimmed. */
const plainJson = (v: unknown): string => JSON.stringify(v ?? null);

/** Parses a template; a parse error is docker/cli's `template parsing error: …` (exit status 64 in Docker). */
function parse(src: string, funcs: Funcs): GoTemplate {
  try {
    return GoTemplate.parse(src, funcs);
  } catch (e) {
    if (e instanceof TemplateError) reject(`template parsing error: ${e.message}`);
    throw e;
  }
}

/** Runs a template over one value; an execution error is `template parsing error: template: :1:2: executing …`. */
function execute(t: GoTemplate, data: unknown, funcs?: Funcs): string {
  try {
    return t.execute(data, funcs);
  } catch (e) {
    if (e instanceof TemplateError) throw new Rejection(`template parsing error: ${e.message}`);
    throw e;
  }
}

/** docker/cli templates.HeaderFunctions: in the header row these hand their argument back unchanged. */
function headerFuncs(base: Funcs): Funcs {
  const same = (v: unknown) => v;
  return { ...base, json: same, split: same, join: same, title: same, lower: same, upper: same, truncate: same };
}

/**
 * A list command's template (Format.templateString): `table` is cut off the front and marks a table with
 * a header row, surrounding spaces are trimmed, and `\t` / `\n` typed literally become a tab and a newline.
 * Each row prints the template and a newline; `{{json .}}` is the row as `--format json` prints it.
 */
export function renderTemplate(template: string, rows: Record<string, unknown>[], headers: Record<string, string>): string {
  const isTable = template.startsWith('table');
  const body = (isTable ? template.slice(5) : template).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  let current: unknown = null;
  const funcs = goFuncs((v) => (v === current && v !== null && typeof v === 'object' ? jsonLine(v as Record<string, unknown>).trimEnd() : plainJson(v)));
  const t = parse(body, funcs);
  const lines = rows.map((r) => {
    current = r;
    return execute(t, r) + '\n';
  });
  if (!isTable) return lines.join('');
  // The header row: the same template over the column titles (an unknown field titles itself in capitals).
  const titles = new Proxy({}, { get: (_, k) => (typeof k === 'string' ? headers[k] ?? k.toUpperCase() : undefined), has: () => true, ownKeys: () => Object.keys(headers), getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }) });
  let header: string;
  try {
    header = t.execute(titles, headerFuncs(funcs));
  } catch {
    header = '';
  }
  return tabwrite([header, ...lines.map((l) => l.slice(0, -1))].map((l) => l.split('\t')));
}

/**
 * An inspect command's template (templates.Parse, no `table`, no escapes rewritten): applied to each object,
 * a newline after each. Returns a function that renders one object (throwing Rejection on an execution
 * error), after checking that the template parses.
 */
export function inspectTemplate(format: string): (obj: Record<string, unknown>) => string {
  const t = parse(format, goFuncs(plainJson));
  return (obj) => execute(t, obj) + '\n';
}

export function renderList(format: string | undefined, rows: Record<string, unknown>[], headers: Record<string, string>, table: () => string): string {
  if (format === undefined || format === '' || format === 'table') return table();
  if (format === 'json') return rows.map((r) => jsonLine(r)).join('');
  return renderTemplate(format, rows, headers);
}
