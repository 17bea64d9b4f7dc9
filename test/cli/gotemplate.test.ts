/**
 * The `--format` template engine against Go's text/template semantics (text/template/exec_test.go,
 * parse_test.go) and docker/cli's functions (templates/templates.go); then through the CLI: the
 * idioms Docker users type (`range .NetworkSettings.Networks`, `index`, `if .Self` in a table).
 */
import { describe, expect, it } from 'vitest';
import { GoTemplate, goFuncs, TemplateError } from '../../src/cli/render/gotemplate.js';
import { clis, swarm } from '../services/support.js';

const funcs = goFuncs((v) => JSON.stringify(v ?? null));
const run = (src: string, data: unknown): string => GoTemplate.parse(src, funcs).execute(data);
/** The TemplateError message `f` throws (the test fails if it throws nothing). */
const thrown = (what: string, f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
  throw new Error(`${what}: no error`);
};
const parseError = (src: string): string => thrown(src, () => GoTemplate.parse(src, funcs));
const execError = (src: string, data: unknown): string => thrown(src, () => run(src, data));

const DATA = {
  Name: 'web', N: 3, F: 1.5, T: true, Z: 0, Empty: '', Nil: null,
  L: ['a', 'b', 'c'], M: { b: 2, a: 1 }, Nets: { back: { IP: '10.0.1.3' }, ingress: { IP: '10.0.0.4' } },
  Atts: [{ Net: 'ingress', Addrs: ['10.0.0.4/24'] }, { Net: 'back', Addrs: ['10.0.1.3/24'] }], Port: '*:8080->80/tcp',
};

describe('Go text/template', () => {
  it('fields, dot, missing keys and Go’s printing of values', () => {
    expect(run('{{.Name}} {{.N}} {{.F}} {{.T}}', DATA)).toBe('web 3 1.5 true');
    expect(run('{{.Missing}}|{{.Nil}}|{{.Missing.Deeper}}', DATA)).toBe('<no value>|<no value>|<no value>');
    expect(run('{{.L}} {{.M}} {{.Nets.back}}', DATA)).toBe('[a b c] map[a:1 b:2] map[IP:10.0.1.3]');
    expect(run('{{.}}', 'plain')).toBe('plain');
    expect(run('no actions at all', DATA)).toBe('no actions at all');
  });

  it('trim markers and comments', () => {
    expect(run('a  {{- .Name -}}  b', DATA)).toBe('awebb');
    expect(run('a {{.Name}} b', DATA)).toBe('a web b');
    expect(run('x {{- /* a comment */ -}} y{{/* another */}}', DATA)).toBe('xy');
    expect(run('{{-3}}', DATA)).toBe('-3');
  });

  it('if / else if / else, with, and Go’s truth', () => {
    const t = '{{if .Z}}z{{else if .Empty}}e{{else if .L}}l{{else}}none{{end}}';
    expect(run(t, DATA)).toBe('l');
    expect(run(t, { ...DATA, L: [] })).toBe('none');
    expect(run('{{if .M}}map{{end}}{{if .Nil}}nil{{end}}{{if .T}}{{if not .Z}}!z{{end}}{{end}}', DATA)).toBe('map!z');
    expect(run('{{with .Nets.back}}{{.IP}}{{end}}|{{with .Missing}}x{{else}}no{{end}}', DATA)).toBe('10.0.1.3|no');
    expect(run('{{with $x := .Name}}{{$x}}{{.}}{{end}}', DATA)).toBe('webweb');
  });

  it('range over lists, maps (keys sorted) and ints; $ and variables; else, break, continue', () => {
    expect(run('{{range .L}}<{{.}}>{{end}}', DATA)).toBe('<a><b><c>');
    expect(run('{{range $i, $e := .L}}{{$i}}={{$e}} {{end}}', DATA)).toBe('0=a 1=b 2=c ');
    expect(run('{{range $k, $v := .Nets}}{{$k}}:{{$v.IP}};{{end}}', DATA)).toBe('back:10.0.1.3;ingress:10.0.0.4;');
    expect(run('{{range .Nets}}{{.IP}} {{end}}', DATA)).toBe('10.0.1.3 10.0.0.4 ');
    expect(run('{{range .Atts}}{{.Net}} {{index .Addrs 0}}{{println}}{{end}}', DATA)).toBe('ingress 10.0.0.4/24\nback 10.0.1.3/24\n');
    expect(run('{{range .L}}{{$.Name}}.{{.}} {{end}}', DATA)).toBe('web.a web.b web.c ');
    expect(run('{{range .Missing}}x{{else}}empty{{end}}', DATA)).toBe('empty');
    expect(run('{{range .L}}{{if eq . "b"}}{{continue}}{{end}}{{if eq . "c"}}{{break}}{{end}}{{.}}{{end}}', DATA)).toBe('a');
    expect(run('{{range 3}}{{.}}{{end}}', DATA)).toBe('012');
    // An assignment reaches the variable outside the loop; a declaration does not outlive its {{end}}.
    expect(run('{{$n := 0}}{{range .L}}{{$n = .}}{{end}}{{$n}}', DATA)).toBe('c');
    expect(parseError('{{range .L}}{{$x := .}}{{end}}{{$x}}')).toBe('template: :1: undefined variable "$x"');
  });

  it('pipelines, parentheses and the builtins', () => {
    expect(run('{{.Name | printf "%q"}} {{.N | printf "%03d"}} {{printf "%-5s|%5s|%v|%t|%x" "a" "b" .L .T 255}}', DATA)).toBe('"web" 003 a    |    b|[a b c]|true|ff');
    expect(run('{{printf "%d %s"  1}}', DATA)).toBe('1 %!s(MISSING)');
    expect(run('{{len .L}} {{len .M}} {{len .Name}} {{index .L 1}} {{index .M "b"}} {{index .Nets "back" "IP"}}', DATA)).toBe('3 2 3 b 2 10.0.1.3');
    expect(run('{{(index .Atts 1).Net}} {{len (index .Atts 0).Addrs}} {{slice .L 1 2}}', DATA)).toBe('back 1 [b]');
    expect(run('{{and .T .Name}} {{and .Z .Name}} {{or .Empty .Name}} {{or .Z .Empty}}|{{not .L}}', DATA)).toBe('web 0 web |false');
    expect(run('{{eq .Name "api" "web"}} {{ne .N 3}} {{lt .N 4}} {{le 3 .N}} {{gt "b" "a"}} {{ge .F 2.5}}', DATA)).toBe('true false true true true false');
    expect(run('{{print 1 2 "a" 3 "b" "c"}}|{{println 1 "a"}}', DATA)).toBe('1 2a3bc|1 a\n');
  });

  it('docker/cli’s functions: json (no HTML escapes), split, join, title, lower, upper, pad, truncate', () => {
    expect(run('{{json .Port}} {{json .M}} {{json .Missing}}', DATA)).toBe('"*:8080->80/tcp" {"b":2,"a":1} null');
    expect(run('{{split "a,b,c" ","}} {{join .L "+"}} {{join (split "x y" " ") "-"}}', DATA)).toBe('[a b c] a+b+c x-y');
    expect(run('{{title "hello swarm-engine"}} {{upper .Name}} {{lower "ABC"}}', DATA)).toBe('Hello Swarm-Engine WEB abc');
    expect(run('[{{pad .Name 2 1}}][{{pad .Empty 2 1}}] {{truncate .Name 2}} {{truncate .Name 10}}', DATA)).toBe('[  web ][] we web');
  });

  it('parse errors, with Go’s wording and line', () => {
    expect(parseError('{{.Name')).toBe('template: :1: unclosed action');
    expect(parseError('a\nb {{if .T}}x')).toBe('template: :2: unexpected EOF');
    expect(parseError('{{yaml}}')).toBe('template: :1: function "yaml" not defined');
    expect(parseError('x{{end}}')).toBe('template: :1: unexpected {{end}}');
    expect(parseError('{{}}')).toBe('template: :1: missing value for command');
    expect(parseError('{{"abc}}')).toBe('template: :1: unterminated quoted string');
    expect(parseError('{{$x}}')).toBe('template: :1: undefined variable "$x"');
    expect(parseError('{{(.Name}}')).toBe('template: :1: unclosed left paren');
    expect(parseError('{{range}}{{end}}')).toBe('template: :1: missing value for range');
    expect(parseError('{{if}}x{{end}}')).toBe('template: :1: missing value for if');
  });

  it('execution errors: position, the action, and what went wrong', () => {
    expect(execError('{{nil}}', DATA)).toBe('template: :1:2: executing "" at <nil>: nil is not a command');
    expect(execError('ab {{index .L 5}}', DATA)).toBe('template: :1:5: executing "" at <index>: error calling index: index out of range: 5');
    expect(execError('{{.Name 1}}', DATA)).toBe('template: :1:2: executing "" at <.Name>: can\'t give argument to non-function .Name');
    expect(execError('{{len .N}}', DATA)).toBe('template: :1:2: executing "" at <len>: error calling len: len of type int');
    expect(execError('{{eq .N "3"}}', DATA)).toBe('template: :1:2: executing "" at <eq>: error calling eq: incompatible types for comparison');
    expect(execError('{{.L.Name}}', DATA)).toBe('template: :1:2: executing "" at <.L.Name>: can\'t evaluate field Name in type []interface {}');
  });
});

describe('--format templates through the CLI', () => {
  const cli = clis();

  it('Docker’s idioms: a container’s addresses, a table with the self marker, a service’s VIPs; errors refused', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay back\nservice create -d --name web -p 8080:80 --network back nginx\nnetwork create front\nrun -d --name app --network front busybox\n');
    expect(await c.ok('--on', 'm1', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'app')).toBe('172.19.0.2\n');
    expect(await c.ok('--on', 'm1', 'inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.Gateway}}{{end}}', 'app')).toBe('front 172.19.0.1\n');
    expect(await c.ok('node', 'ls', '--format', 'table {{.Hostname}} {{if .Self}}*{{else}} {{end}}\t{{.Status}}')).toBe('HOSTNAME     STATUS\nm1 *         Ready\nw1           Ready\n');
    const vips = await c.ok('service', 'inspect', 'web', '-f', '{{range .Endpoint.VirtualIPs}}{{.Addr}} {{end}}');
    expect(vips).toMatch(/^10\.0\.0\.\d+\/24 10\.0\.1\.\d+\/24 \n$/);
    expect(await c.ok('service', 'ls', '--format', '{{.Name}}: {{json .Ports}} {{if eq .Replicas "1/1"}}converged{{end}}')).toBe('web: "*:8080->80/tcp" converged\n');
    // `--format json` marshals the row (sorted keys, HTML-safe escapes); `{{json .Field}}` does not escape.
    expect(await c.ok('service', 'ls', '--format', '{{json .}}')).toBe(await c.ok('service', 'ls', '--format', 'json'));
    const bad = await c.run('node', 'ls', '--format', '{{if .Self}}');
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, '', 'Error: template parsing error: template: :1: unexpected EOF\n']);
    const failing = await c.run('inspect', '-f', '{{index .Spec.Labels 1}}', 'web');
    expect([failing.code, failing.stdout]).toEqual([1, '\n']);
    expect(failing.stderr).toBe('Error: template parsing error: template: :1:2: executing "" at <index>: error calling index: value has type int; should be string\n');
  });
});
