/**
 * Go's text/template, as docker/cli runs `--format` templates (templates/templates.go): actions, pipelines,
 * variables, `if`/`else if`/`with`/`range` (with `else`, `break`, `continue`), trim markers, comments,
 * Go's builtins (and or not len index slice eq ne lt le gt ge print printf println) and Docker's (json
 * split join title lower upper pad truncate). Templates run over the JSON objects the engine prints, as
 * docker/cli's raw fallback runs them over decoded JSON; a key the object lacks prints `<no value>`.
 * Errors carry Go's wording: `template: :1: function "x" not defined`, `unexpected EOF`, ….
 */

type Value = unknown;
export type Funcs = Record<string, (...args: Value[]) => Value>;

/** A template failed to parse or to execute; the message is Go's (`template: :1: …`). */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

// ---- lexing -------------------------------------------------------------------------------------------

type TokKind = 'field' | 'var' | 'ident' | 'string' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'end';
interface Tok { kind: TokKind; text: string; pos: number }

interface TextItem { kind: 'text'; text: string }
interface ActionItem { kind: 'action'; toks: Tok[]; pos: number }
type Item = TextItem | ActionItem;

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);

function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === '\n') n++;
  return n;
}

function fail(src: string, pos: number, msg: string): never {
  throw new TemplateError(`template: :${lineOf(src, pos)}: ${msg}`);
}

/** Splits the source into text and actions (Go's lexer: `{{- ` and ` -}}` trim the neighbouring spaces). */
function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) items.push({ kind: 'text', text });
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && /\s/.test(src[p + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      p += 2;
    }
    if (text) items.push({ kind: 'text', text });
    // A comment: `{{/* … */}}`, nothing else in the action.
    const ws = /^\s*/.exec(src.slice(p))![0].length;
    if (src.startsWith('/*', p + ws)) {
      const endC = src.indexOf('*/', p + ws + 2);
      if (endC < 0) fail(src, open, 'unclosed comment');
      let q = endC + 2;
      q += /^\s*/.exec(src.slice(q))![0].length;
      if (src.startsWith('-}}', q)) { trimNext = true; q += 3; } else if (src.startsWith('}}', q)) q += 2;
      else fail(src, open, 'comment ends before closing delimiter');
      i = q;
      continue;
    }
    const toks: Tok[] = [];
    for (;;) {
      while (p < src.length && /[ \t\r\n]/.test(src[p]!)) p++;
      if (p >= src.length) fail(src, open, 'unclosed action');
      if (src.startsWith('}}', p)) { p += 2; break; }
      if (src.startsWith('-}}', p) && /\s/.test(src[p - 1] ?? '')) { p += 3; trimNext = true; break; }
      const c = src[p]!;
      const start = p;
      if (c === '"') {
        p++;
        while (p < src.length && src[p] !== '"') {
          if (src[p] === '\n') fail(src, start, 'unterminated quoted string');
          p += src[p] === '\\' ? 2 : 1;
        }
        if (p >= src.length) fail(src, start, 'unterminated quoted string');
        p++;
        toks.push({ kind: 'string', text: unquote(src, start, src.slice(start, p)), pos: start });
      } else if (c === '`') {
        const end = src.indexOf('`', p + 1);
        if (end < 0) fail(src, start, 'unterminated raw quoted string');
        toks.push({ kind: 'string', text: src.slice(p + 1, end), pos: start });
        p = end + 1;
      } else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
        const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(p));
        if (m) { toks.push({ kind: 'field', text: m[0], pos: start }); p += m[0].length; } else { toks.push({ kind: 'dot', text: '.', pos: start }); p++; }
      } else if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*((\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(src.slice(p))!;
        toks.push({ kind: 'var', text: m[0], pos: start });
        p += m[0].length;
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(p));
        if (!m || !/\d/.test(m[0])) fail(src, start, `bad character ${JSON.stringify(c)}`);
        const n = Number(m[0].replace(/_/g, ''));
        if (Number.isNaN(n)) fail(src, start, `bad number syntax: "${m[0]}"`);
        toks.push({ kind: 'number', text: m[0], pos: start });
        p += m[0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p))!;
        const w = m[0];
        toks.push({ kind: w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'ident', text: w, pos: start });
        p += w.length;
        // A field chain on a parenthesised value or variable is lexed with it; on an identifier it is not Go.
      } else if (c === '|') { toks.push({ kind: 'pipe', text: c, pos: start }); p++; }
      else if (c === '(') { toks.push({ kind: 'lparen', text: c, pos: start }); p++; }
      else if (c === ')') {
        toks.push({ kind: 'rparen', text: c, pos: start });
        p++;
        const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(p));
        if (m) { toks.push({ kind: 'field', text: m[0], pos: p }); p += m[0].length; }
      } else if (src.startsWith(':=', p)) { toks.push({ kind: 'declare', text: ':=', pos: start }); p += 2; }
      else if (c === '=') { toks.push({ kind: 'assign', text: '=', pos: start }); p++; }
      else if (c === ',') { toks.push({ kind: 'comma', text: ',', pos: start }); p++; }
      else fail(src, start, `unexpected ${JSON.stringify(c)} in command`);
    }
    toks.push({ kind: 'end', text: '}}', pos: p });
    items.push({ kind: 'action', toks, pos: open });
    i = p;
  }
  return items;
}

function unquote(src: string, pos: number, q: string): string {
  try {
    return JSON.parse(q.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\([abfv'])/g, (_, c: string) => ({ a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'" })[c]!)) as string;
  } catch {
    return fail(src, pos, `invalid syntax: ${q}`);
  }
}

// ---- parsing ------------------------------------------------------------------------------------------

type Arg =
  | { kind: 'field'; base: Arg | null; names: string[]; pos: number; text: string }
  | { kind: 'var'; name: string; names: string[]; pos: number; text: string }
  | { kind: 'dot'; pos: number; text: string }
  | { kind: 'literal'; value: Value; pos: number; text: string }
  | { kind: 'ident'; name: string; pos: number; text: string }
  | { kind: 'pipeline'; pipe: Pipeline; pos: number; text: string };
interface Command { args: Arg[]; pos: number }
interface Pipeline { decl: string[]; assign: boolean; cmds: Command[]; pos: number }
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipeline; list: Node[]; elseList: Node[] | null }
  | { kind: 'break' | 'continue'; pos: number };

class Parser {
  private at = 0;
  constructor(private readonly src: string, private readonly items: Item[], private readonly funcs: Funcs) {}

  parse(): Node[] {
    const [list, end] = this.list(0);
    if (end) fail(this.src, end.pos, `unexpected {{${end.word}}}`);
    return list;
  }

  /** Nodes up to an `{{end}}` or `{{else}}` (returned, not consumed past), or the end of the template. */
  private list(depth: number): [Node[], { word: 'end' | 'else'; pos: number; toks: Tok[] } | null] {
    const out: Node[] = [];
    while (this.at < this.items.length) {
      const item = this.items[this.at++]!;
      if (item.kind === 'text') { out.push({ kind: 'text', text: item.text }); continue; }
      const first = item.toks[0]!;
      if (first.kind === 'end') fail(this.src, item.pos, 'missing value for command');
      if (first.kind === 'ident' && KEYWORDS.has(first.text)) {
        const w = first.text;
        if (w === 'end' || w === 'else') {
          if (depth === 0) fail(this.src, item.pos, `unexpected {{${w}}}`);
          return [out, { word: w, pos: item.pos, toks: item.toks.slice(1) }];
        }
        if (w === 'if' || w === 'with' || w === 'range') { out.push(this.control(w, item.toks.slice(1), item.pos, depth)); continue; }
        if (w === 'break' || w === 'continue') { out.push({ kind: w, pos: item.pos }); continue; }
        fail(this.src, item.pos, `{{${w}}} (named templates) is not simulated by swarm-engine`);
      }
      out.push({ kind: 'action', pipe: this.pipeline(item.toks, item.pos, true) });
    }
    return [out, null];
  }

  private control(kind: 'if' | 'with' | 'range', toks: Tok[], pos: number, depth: number): Node {
    // Variables declared in the control's pipeline or body are visible until its {{end}}.
    const visible = this.vars.length;
    try {
      return this.controlBody(kind, toks, pos, depth);
    } finally {
      this.vars.length = visible;
    }
  }

  private controlBody(kind: 'if' | 'with' | 'range', toks: Tok[], pos: number, depth: number): Node {
    if (toks[0]?.kind === 'end') fail(this.src, pos, `missing value for ${kind}`);
    const pipe = this.pipeline(toks, pos, true);
    const [list, end] = this.list(depth + 1);
    if (!end) fail(this.src, this.src.length, 'unexpected EOF');
    let elseList: Node[] | null = null;
    if (end.word === 'else') {
      const rest = end.toks;
      // `{{else if …}}` / `{{else with …}}`: a nested control that shares this one's {{end}}.
      if (rest[0]?.kind === 'ident' && (rest[0].text === 'if' || rest[0].text === 'with') && kind !== 'range') {
        elseList = [this.control(rest[0].text, rest.slice(1), end.pos, depth)];
        return { kind, pipe, list, elseList };
      }
      if (rest[0]?.kind !== 'end') fail(this.src, end.pos, 'unexpected tokens after {{else}}');
      const [l2, end2] = this.list(depth + 1);
      if (!end2) fail(this.src, this.src.length, 'unexpected EOF');
      if (end2.word !== 'end') fail(this.src, end2.pos, `expected end; found {{else}}`);
      elseList = l2;
    } else if (end.toks[0]?.kind !== 'end') fail(this.src, end.pos, 'unexpected tokens after {{end}}');
    return { kind, pipe, list, elseList };
  }

  private pipeline(toks: Tok[], pos: number, top: boolean): Pipeline {
    let k = 0;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, `$i, $e :=`.
    const plainVar = (t: Tok | undefined) => t?.kind === 'var' && !t.text.includes('.');
    if (plainVar(toks[0]) && (toks[1]?.kind === 'declare' || toks[1]?.kind === 'assign')) {
      decl.push(toks[0]!.text);
      assign = toks[1]!.kind === 'assign';
      k = 2;
    } else if (plainVar(toks[0]) && toks[1]?.kind === 'comma' && plainVar(toks[2]) && toks[3]?.kind === 'declare') {
      decl.push(toks[0]!.text, toks[2]!.text);
      k = 4;
    }
    const cmds: Command[] = [];
    let args: Arg[] = [];
    let cmdPos = toks[k]?.pos ?? pos;
    const endKind = top ? 'end' : 'rparen';
    for (;;) {
      const t = toks[k];
      if (!t || (!top && t.kind === 'end')) fail(this.src, pos, top ? 'unclosed action' : 'unclosed left paren');
      if (t.kind === endKind || (top && t.kind === 'rparen')) {
        if (t.kind === 'rparen' && top) fail(this.src, t.pos, 'unexpected right paren');
        if (args.length === 0) fail(this.src, pos, 'missing value for command');
        cmds.push({ args, pos: cmdPos });
        break;
      }
      if (t.kind === 'pipe') {
        if (args.length === 0) fail(this.src, t.pos, 'missing value for command');
        cmds.push({ args, pos: cmdPos });
        args = [];
        k++;
        cmdPos = toks[k]?.pos ?? pos;
        continue;
      }
      const [arg, next] = this.operand(toks, k);
      args.push(arg);
      k = next;
    }
    if (!top) this.consumed = k + 1;
    // Go's parser: a variable must be declared before it is used (`$` always is); a declaration counts from here on.
    if (assign && !this.vars.includes(decl[0]!)) fail(this.src, pos, `undefined variable "${decl[0]}"`);
    if (!assign) this.vars.push(...decl);
    return { decl, assign, cmds, pos };
  }

  private consumed = 0;
  /** Variables in scope while parsing. */
  private readonly vars: string[] = ['$'];

  private operand(toks: Tok[], k: number): [Arg, number] {
    const t = toks[k]!;
    switch (t.kind) {
      case 'field': return [{ kind: 'field', base: null, names: t.text.slice(1).split('.'), pos: t.pos, text: t.text }, k + 1];
      case 'dot': return [{ kind: 'dot', pos: t.pos, text: '.' }, k + 1];
      case 'var': {
        const [name, ...names] = t.text.split('.');
        if (!this.vars.includes(name!)) fail(this.src, t.pos, `undefined variable "${name}"`);
        return [{ kind: 'var', name: name!, names, pos: t.pos, text: t.text }, k + 1];
      }
      case 'string': return [{ kind: 'literal', value: t.text, pos: t.pos, text: JSON.stringify(t.text) }, k + 1];
      case 'number': return [{ kind: 'literal', value: Number(t.text.replace(/_/g, '')), pos: t.pos, text: t.text }, k + 1];
      case 'bool': return [{ kind: 'literal', value: t.text === 'true', pos: t.pos, text: t.text }, k + 1];
      case 'nil': return [{ kind: 'literal', value: null, pos: t.pos, text: 'nil' }, k + 1];
      case 'ident':
        if (KEYWORDS.has(t.text)) fail(this.src, t.pos, `unexpected <${t.text}> in command`);
        if (!(t.text in this.funcs)) fail(this.src, t.pos, `function "${t.text}" not defined`);
        return [{ kind: 'ident', name: t.text, pos: t.pos, text: t.text }, k + 1];
      case 'lparen': {
        const pipe = this.pipeline(toks.slice(k + 1), t.pos, false);
        let next = k + 1 + this.consumed;
        let arg: Arg = { kind: 'pipeline', pipe, pos: t.pos, text: '(…)' };
        if (toks[next]?.kind === 'field') {
          arg = { kind: 'field', base: arg, names: toks[next]!.text.slice(1).split('.'), pos: toks[next]!.pos, text: toks[next]!.text };
          next++;
        }
        return [arg, next];
      }
      default: return fail(this.src, t.pos, `unexpected ${JSON.stringify(t.text)} in operand`);
    }
  }
}

// ---- execution ----------------------------------------------------------------------------------------

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

/** Go's truth: false, 0, nil and empty strings, slices and maps are false. */
export function truth(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** How fmt's %v prints a value: maps as map[k:v] (keys sorted), slices as [a b], a missing value as <no value>. */
export function goString(v: Value, top = true): string {
  if (v === undefined || v === null) return top ? '<no value>' : '<nil>';
  if (Array.isArray(v)) return `[${v.map((x) => goString(x, false)).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goString((v as Record<string, Value>)[k], false)}`).join(' ')}]`;
  return String(v);
}

interface Scope { vars: Map<string, Value>; parent: Scope | null }

class Exec {
  out = '';
  constructor(private readonly src: string, private readonly funcs: Funcs, private readonly root: Value) {}

  private err(pos: number, at: string, msg: string): never {
    const line = lineOf(this.src, pos);
    const col = pos - (this.src.lastIndexOf('\n', pos - 1) + 1);
    throw new TemplateError(`template: :${line}:${col}: executing "" at <${at}>: ${msg}`);
  }

  run(list: Node[], dot: Value, scope: Scope): typeof BREAK | typeof CONTINUE | void {
    for (const n of list) {
      switch (n.kind) {
        case 'text': this.out += n.text; break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) this.out += goString(v);
          break;
        }
        case 'if': case 'with': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const v = this.pipeline(n.pipe, dot, inner);
          if (truth(v)) {
            const r = this.run(n.list, n.kind === 'with' ? v : dot, inner);
            if (r) return r;
          } else if (n.elseList) {
            const r = this.run(n.elseList, dot, inner);
            if (r) return r;
          }
          break;
        }
        case 'range': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const decl = n.pipe.decl;
          const v = this.pipeline({ ...n.pipe, decl: [] }, dot, inner);
          const entries: [Value, Value][] = Array.isArray(v) ? v.map((x, i) => [i, x])
            : v !== null && typeof v === 'object' ? Object.keys(v).sort().map((key) => [key, (v as Record<string, Value>)[key]])
            : typeof v === 'number' && Number.isInteger(v) ? Array.from({ length: Math.max(0, v) }, (_, i) => [i, i])
            : v === undefined || v === null ? [] : this.err(n.pipe.pos, 'range', `range can't iterate over ${goString(v)}`);
          if (entries.length === 0) {
            if (n.elseList) { const r = this.run(n.elseList, dot, inner); if (r) return r; }
            break;
          }
          for (const [key, elem] of entries) {
            const it: Scope = { vars: new Map(), parent: inner };
            if (decl.length === 1) it.vars.set(decl[0]!, elem);
            if (decl.length === 2) { it.vars.set(decl[0]!, key); it.vars.set(decl[1]!, elem); }
            const r = this.run(n.list, elem, it);
            if (r === BREAK) break;
          }
          break;
        }
        case 'break': return BREAK;
        case 'continue': return CONTINUE;
      }
    }
  }

  private lookupVar(scope: Scope, name: string, pos: number): Value {
    if (name === '$') return this.root;
    for (let s: Scope | null = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    return this.err(pos, name, `undefined variable: ${name}`);
  }

  private pipeline(p: Pipeline, dot: Value, scope: Scope): Value {
    let v: Value = undefined;
    let piped = false;
    for (const c of p.cmds) {
      v = this.command(c, dot, scope, piped ? [v] : []);
      piped = true;
    }
    if (p.decl.length) {
      if (p.assign) {
        const name = p.decl[0]!;
        let s: Scope | null = scope;
        while (s && !s.vars.has(name)) s = s.parent;
        (s ?? scope).vars.set(name, v);
      } else {
        scope.vars.set(p.decl[p.decl.length - 1]!, v);
      }
    }
    return v;
  }

  private command(c: Command, dot: Value, scope: Scope, piped: Value[]): Value {
    const [first, ...rest] = c.args;
    if (first!.kind === 'ident') {
      const fn = this.funcs[first.name]!;
      const args = [...rest.map((a) => this.arg(a, dot, scope)), ...piped];
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        return this.err(first.pos, first.name, `error calling ${first.name}: ${(e as Error).message}`);
      }
    }
    if (first!.kind === 'literal' && first!.value === null) return this.err(first!.pos, 'nil', 'nil is not a command');
    if (rest.length || piped.length) return this.err(first!.pos, first!.text, `can't give argument to non-function ${first!.text}`);
    return this.arg(first!, dot, scope);
  }

  private arg(a: Arg, dot: Value, scope: Scope): Value {
    switch (a.kind) {
      case 'dot': return dot;
      case 'literal': return a.value;
      case 'ident': {
        const fn = this.funcs[a.name]!;
        try { return fn(); } catch (e) { return this.err(a.pos, a.name, `error calling ${a.name}: ${(e as Error).message}`); }
      }
      case 'pipeline': return this.pipeline(a.pipe, dot, { vars: new Map(), parent: scope });
      case 'var': return this.fields(this.lookupVar(scope, a.name, a.pos), a.names, a);
      case 'field': return this.fields(a.base ? this.arg(a.base, dot, scope) : dot, a.names, a);
    }
  }

  private fields(v: Value, names: string[], a: Arg): Value {
    let cur = v;
    for (const name of names) {
      if (cur === undefined || cur === null) return undefined;
      if (typeof cur !== 'object' || Array.isArray(cur)) return this.err(a.pos, a.text, `can't evaluate field ${name} in type ${goType(cur)}`);
      cur = (cur as Record<string, Value>)[name];
    }
    return cur;
  }
}

function goType(v: Value): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'interface {}';
}

// ---- functions ----------------------------------------------------------------------------------------

function basicKind(v: Value): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v) || typeof v === 'object') return 'complex';
  return typeof v;
}

function eq(a: Value, ...bs: Value[]): boolean {
  if (bs.length === 0) throw new Error('missing argument for comparison');
  for (const b of bs) {
    const [ka, kb] = [basicKind(a), basicKind(b)];
    if (ka === 'complex' || kb === 'complex') throw new Error('non-comparable type');
    if (ka !== kb && ka !== 'nil' && kb !== 'nil') throw new Error('incompatible types for comparison');
    if ((a ?? null) === (b ?? null)) return true;
  }
  return false;
}

function order(a: Value, b: Value): number {
  const [ka, kb] = [basicKind(a), basicKind(b)];
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka !== 'number' && ka !== 'string') throw new Error('invalid type for comparison');
  return (a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0;
}

/** fmt.Sprint: a space between two operands when neither is a string. */
function sprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goString(a, false);
  });
  return out;
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %t %x %X %f %g %%, with flags and width. */
function sprintf(format: Value, ...args: Value[]): string {
  let n = 0;
  return String(format).replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'v': s = goString(a, false); break;
      case 's': s = typeof a === 'string' ? a : goString(a, false); break;
      case 'q': s = typeof a === 'string' ? JSON.stringify(a) : `%!q(${goType(a)}=${goString(a, false)})`; break;
      case 'd': s = typeof a === 'number' && Number.isInteger(a) ? String(a) : `%!d(${goType(a)}=${goString(a, false)})`; break;
      case 't': s = typeof a === 'boolean' ? String(a) : `%!t(${goType(a)}=${goString(a, false)})`; break;
      case 'x': case 'X': {
        const h = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(String(a)).toString('hex');
        s = verb === 'X' ? h.toUpperCase() : h;
        break;
      }
      case 'f': case 'g': case 'e':
        s = typeof a !== 'number' ? `%!${verb}(${goType(a)}=${goString(a, false)})`
          : verb === 'f' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : verb === 'e' ? a.toExponential(prec === undefined ? 6 : Number(prec)) : String(a);
        break;
      default: s = `%!${verb}(${goType(a)}=${goString(a, false)})`;
    }
    if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec));
    if (width && s.length < Number(width)) s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.includes('0') && verb !== 's' ? '0' : ' ');
    return s;
  }) + (n < args.length ? `%!(EXTRA ${args.slice(n).map((a) => `${goType(a)}=${goString(a, false)}`).join(', ')})` : '');
}

function index(v: Value, ...keys: Value[]): Value {
  let cur = v;
  for (const k of keys) {
    if (cur === undefined || cur === null) throw new Error('index of untyped nil');
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new Error(`cannot index slice/array with type ${goType(k)}`);
      if (k < 0 || k >= cur.length) throw new Error(`index out of range: ${k}`);
      cur = typeof cur === 'string' ? cur.charCodeAt(k) : cur[k];
    } else if (typeof cur === 'object') {
      if (typeof k !== 'string') throw new Error(`value has type ${goType(k)}; should be string`);
      cur = (cur as Record<string, Value>)[k];
    } else {
      throw new Error(`can't index item of type ${goType(cur)}`);
    }
  }
  return cur;
}

/** Go's builtins and docker/cli's templates.basicFunctions. */
export function goFuncs(json: (v: Value) => string): Funcs {
  return {
    and: (...xs) => { for (const x of xs) if (!truth(x)) return x; return xs[xs.length - 1]; },
    or: (...xs) => { for (const x of xs) if (truth(x)) return x; return xs[xs.length - 1]; },
    not: (x) => !truth(x),
    len: (x) => {
      if (typeof x === 'string') return Buffer.byteLength(x);
      if (Array.isArray(x)) return x.length;
      if (x !== null && typeof x === 'object') return Object.keys(x).length;
      throw new Error(`len of type ${goType(x)}`);
    },
    index,
    slice: (x, ...ix) => {
      if (!Array.isArray(x) && typeof x !== 'string') throw new Error(`can't slice item of type ${goType(x)}`);
      const [i = 0, j = x.length] = ix as number[];
      if (i < 0 || j > x.length || i > j) throw new Error(`index out of range: ${j}`);
      return x.slice(i, j);
    },
    eq, ne: (a, b) => !eq(a, b),
    lt: (a, b) => order(a, b) < 0, le: (a, b) => order(a, b) <= 0, gt: (a, b) => order(a, b) > 0, ge: (a, b) => order(a, b) >= 0,
    print: (...xs) => sprint(xs),
    printf: (f, ...xs) => sprintf(f, ...xs),
    println: (...xs) => xs.map((x) => goString(x, false)).join(' ') + '\n',
    html: (...xs) => sprint(xs).replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!),
    urlquery: (...xs) => encodeURIComponent(sprint(xs)).replace(/%20/g, '+'),
    json: (v) => json(v),
    split: (s, sep) => String(s).split(String(sep)),
    join: (xs, sep) => (xs === null || xs === undefined ? '' : Array.isArray(xs) ? xs.map((x) => goString(x, false)).join(String(sep)) : goString(xs, false)),
    title: (s) => String(s).replace(/(^|[^A-Za-z0-9_'])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase()),
    lower: (s) => String(s).toLowerCase(),
    upper: (s) => String(s).toUpperCase(),
    pad: (s, pre, suf) => (s === '' ? '' : ' '.repeat(Number(pre)) + String(s) + ' '.repeat(Number(suf))),
    truncate: (s, n) => (String(s).length < Number(n) ? String(s) : String(s).slice(0, Number(n))),
  };
}

/** A parsed template: run it over values (each run is independent). */
export class GoTemplate {
  private constructor(private readonly src: string, private readonly nodes: Node[], private readonly funcs: Funcs) {}

  /** Parses `src` (throws a TemplateError with Go's message). */
  static parse(src: string, funcs: Funcs): GoTemplate {
    const items = lex(src);
    return new GoTemplate(src, new Parser(src, items, funcs).parse(), funcs);
  }

  execute(data: Value, funcs: Funcs = this.funcs): string {
    const ex = new Exec(this.src, funcs, data);
    ex.run(this.nodes, data, { vars: new Map([['$', data]]), parent: null });
    return ex.out;
  }
}
