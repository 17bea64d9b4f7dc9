/**
 * `engine run FILE.swarm`: one engine command per line, without the leading `engine`; shell quoting;
 * `#` comments; a trailing `\` continues a line; `$(COMMAND)` is replaced by that command's output,
 * as a shell would. A line starting with `!` is expected to fail: its error is shown and the run goes on.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'shell-quote';
import { reject, Rejection } from '../../commands/rejection.js';
import { BufferIo, type Io } from '../io.js';

export interface ScenarioLine {
  lineNo: number;
  text: string;
}

/** Splits a scenario into logical lines (comments and blanks dropped, continuations joined). */
export function scenarioLines(source: string): ScenarioLine[] {
  const out: ScenarioLine[] = [];
  const raw = source.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let text = raw[i]!;
    while (/\\$/.test(text) && i + 1 < raw.length) text = text.slice(0, -1) + ' ' + raw[++i]!;
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    out.push({ lineNo: start, text: text.trim() });
  }
  return out;
}

/** Finds `$(`…`)` spans (balanced parentheses, quotes respected). */
function substitutions(text: string): { start: number; end: number; inner: string }[] {
  const out: { start: number; end: number; inner: string }[] = [];
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      continue;
    }
    if (c === "'" && quote === null) { quote = "'"; continue; }
    if (c === '"') { quote = quote === '"' ? null : '"'; continue; }
    if (c === '$' && text[i + 1] === '(') {
      let depth = 0;
      for (let j = i + 1; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) {
          out.push({ start: i, end: j + 1, inner: text.slice(i + 2, j) });
          i = j;
          break;
        }
        if (j === text.length - 1) reject(`unterminated $( in: ${text}`);
      }
    }
  }
  return out;
}

/** Tokenizes one line as a shell would (no globbing, no variables, no operators). */
export function tokenize(text: string): string[] {
  const { argv, stdin } = tokenizePipe(text);
  if (stdin !== null) reject('a pipe is only supported as `echo TEXT | COMMAND`');
  return argv;
}

/** Tokenizes a line that may start with `echo [-n] TEXT |`: the echoed text becomes the command's stdin. */
export function tokenizePipe(text: string): { argv: string[]; stdin: Buffer | null } {
  const parts = parse(text, (key: string) => `$${key}`);
  const words: string[] = [];
  let stdin: Buffer | null = null;
  for (const p of parts) {
    if (typeof p === 'string') words.push(p);
    else if ('comment' in p) break;
    else if ('op' in p && p.op === 'glob') words.push((p as { pattern: string }).pattern);
    else if ('op' in p && p.op === '|' && stdin === null && words[0] === 'echo') {
      const noNewline = words[1] === '-n';
      const text = words.slice(noNewline ? 2 : 1).join(' ');
      stdin = Buffer.from(noNewline ? text : `${text}\n`);
      words.length = 0;
    } else reject(`shell operator ${'op' in p ? `"${p.op}"` : ''} is not supported in scenario files`);
  }
  return { argv: words, stdin };
}

export type LineRunner = (argv: string[], io: Io, stdin?: Buffer) => Promise<number>;

/** Expands `$(…)` by running the inner command and taking its stdout, trailing newlines removed. */
export async function expand(text: string, run: LineRunner): Promise<string> {
  const subs = substitutions(text);
  let out = '';
  let last = 0;
  for (const s of subs) {
    const io = new BufferIo();
    const code = await run(tokenize(await expand(s.inner, run)), io);
    if (code !== 0) throw new Rejection(`$(${s.inner}) failed: ${io.stderr.trim().replace(/^Error: /, '')}`);
    out += text.slice(last, s.start) + io.stdout.replace(/\n+$/, '');
    last = s.end;
  }
  return out + text.slice(last);
}

export interface RunOptions {
  quiet: boolean;
}

/** Runs a scenario; stops at the first unexpected failure. */
export async function runScenario(file: string, source: string, run: LineRunner, io: Io, opts: RunOptions): Promise<void> {
  for (const line of scenarioLines(source)) {
    let text = line.text;
    const expectFail = text.startsWith('!');
    if (expectFail) text = text.slice(1).trim();
    if (!opts.quiet) io.out(`$ ${expectFail ? '! ' : ''}engine ${text}\n`);
    let argv: string[];
    let stdin: Buffer | null = null;
    try {
      ({ argv, stdin } = tokenizePipe(await expand(text, run)));
    } catch (e) {
      if (e instanceof Rejection) throw new Rejection(`${file}:${line.lineNo}: ${e.message}`);
      throw e;
    }
    if (argv[0] === 'run' && argv.some((a) => a.endsWith('.swarm'))) throw new Rejection(`${file}:${line.lineNo}: a scenario cannot run another scenario`);
    const lineIo = opts.quiet ? new BufferIo() : io;
    const errIo = new BufferIo();
    const code = await run(argv, { out: (t) => lineIo.out(t), err: (t) => errIo.err(t) }, stdin ?? undefined);
    const err = errIo.stderr;
    if (expectFail) {
      if (code === 0) throw new Rejection(`${file}:${line.lineNo}: expected this command to fail, but it succeeded`);
      if (!opts.quiet) io.out(err);
      continue;
    }
    if (code !== 0) throw new Rejection(`${file}:${line.lineNo}: ${err.trim().replace(/^Error: /, '')}`);
    if (err) io.err(err);
  }
}

export function readScenario(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    return reject(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
