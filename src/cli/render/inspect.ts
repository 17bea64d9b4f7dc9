/**
 * docker/cli's inspect loop (cli/command/inspect/inspector.go Inspect), shared by `docker inspect`,
 * `container inspect` and `network inspect`: every reference is looked up; what was found is printed
 * (the indented array, `[]` when nothing was; `--format json` compact; a template one line per object,
 * a lone newline when nothing was), then the errors, one per line, and the command fails (exit 1).
 */
import { Rejection } from '../../commands/rejection.js';
import { inspectTemplate } from './format.js';
import { inspectJson } from './json.js';

function compactJson(values: unknown[]): string {
  return JSON.stringify(values).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '\n';
}

/**
 * Looks each reference up (`lookup` throws a Rejection with the daemon's message when it finds nothing),
 * writes the found objects, then throws the collected errors as one Rejection (`Error: ` goes before
 * the first line, as everywhere in the engine).
 */
export function inspectEach(out: (text: string) => void, refs: string[], format: string | undefined, lookup: (ref: string) => Record<string, unknown>): void {
  const objs: Record<string, unknown>[] = [];
  const errs: string[] = [];
  // A template that does not parse fails before anything is looked up (exit status 64 in docker/cli).
  const one = format && format !== 'json' ? inspectTemplate(format) : null;
  let text = '';
  for (const ref of refs) {
    try {
      const obj = lookup(ref);
      // A template that fails on one object is that object's error; the others still print.
      if (one) text += one(obj);
      objs.push(obj);
    } catch (e) {
      if (!(e instanceof Rejection)) throw e;
      errs.push(e.message);
    }
  }
  if (!format) out(inspectJson(objs));
  else if (format === 'json') out(objs.length ? compactJson(objs) : '[]\n');
  else out(objs.length ? text : '\n');
  if (errs.length) throw new Rejection(errs.join('\n'));
}
