/**
 * Bad input through the real CLI: unknown commands and flags, missing arguments, malformed values,
 * impossible transitions. Each prints exactly one `Error:` line first on stderr (usage hints may follow),
 * exits non-zero, never shows a stack trace, and appends nothing (same `log --json`, same `state --hash`).
 */
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferIo } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { TestCli } from '../helpers/cli.js';
import { expectCleanError, fingerprint, FIVE_NODES, given, refused } from '../helpers/refuse.js';

const cli = new TestCli();
beforeAll(async () => {
  // Five nodes, a spare machine outside the swarm, worker2 crashed and Down.
  await given(cli, FIVE_NODES + 'host add spare\nhost crash worker2\nadvance 20s\n');
});
afterAll(() => cli.cleanup());

/** [what, argv, the exact Error: line, the usage hint that follows (if any)] */
type Case = [string, string[], string, string?];

const NOT_MANAGER = "Error: Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
const FP = 'Error: Error response from daemon: rpc error: code = FailedPrecondition desc = ';

const syntax: Case[] = [
  ['unknown engine command', ['bogus'], 'Error: unknown command "bogus" for "engine"', "Run 'engine --help' for usage."],
  ['unknown docker subcommand', ['node', 'bogus'], 'Error: unknown command "bogus" for "docker node"', "Run 'docker node --help' for usage."],
  ['unknown swarm subcommand', ['swarm', 'frobnicate'], 'Error: unknown command "frobnicate" for "docker swarm"', "Run 'docker swarm --help' for usage."],
  ['unknown flag', ['node', 'ls', '--bogus'], 'Error: unknown flag: --bogus', "See 'docker node ls --help'."],
  ['unknown shorthand flag', ['node', 'ls', '-z'], "Error: unknown shorthand flag: 'z' in -z", "See 'docker node ls --help'."],
  ['unknown flag of an engine verb', ['advance', '--fast', '5s'], 'Error: unknown flag: --fast', "See 'engine advance --help'."],
  ['unknown global flag', ['--bogus'], 'Error: unknown flag: --bogus', "See 'engine --help'."],
  ['missing argument', ['host', 'add'], 'Error: "engine host add" requires exactly 1 argument.', "See 'engine host add --help'."],
  ['too many arguments', ['host', 'crash', 'worker1', 'worker2'], 'Error: "engine host crash" requires exactly 1 argument.', "See 'engine host crash --help'."],
  ['missing variadic argument', ['node', 'inspect'], 'Error: "docker node inspect" requires at least 1 argument.', "See 'docker node inspect --help'."],
  ['missing argument of a docker verb', ['node', 'update'], 'Error: "docker node update" requires exactly 1 argument.', "See 'docker node update --help'."],
  ['missing flag value', ['host', 'add', 'h9', '--ip'], 'Error: flag needs an argument: --ip', "See 'engine host add --help'."],
  ['missing global flag value', ['--on'], 'Error: flag needs an argument: --on'],
  ['missing required flag', ['--on', 'spare', 'swarm', 'join', 'manager1:2377'], 'Error: required flag(s) "token" not set', "See 'docker swarm join --help'."],
  ['missing required flag of an engine verb', ['rewind'], 'Error: required flag(s) "to" not set', "See 'engine rewind --help'."],
  ['unknown flag before a missing required one', ['--on', 'spare', 'swarm', 'join', '--tokn', 'x', 'manager1:2377'], 'Error: unknown flag: --tokn', "See 'docker swarm join --help'."],
  ['argument count before a missing required flag', ['swarm', 'join'], 'Error: "docker swarm join" requires exactly 1 argument.', "See 'docker swarm join --help'."],
  ['missing diff point', ['diff', '3'], 'Error: "engine diff" requires exactly 2 arguments.', "See 'engine diff --help'."],
];

const malformed: Case[] = [
  ['duration without a unit', ['advance', '5'], 'Error: invalid duration "5": use Go\'s syntax, e.g. 450ms, 30s, 2m, 1h30m'],
  ['duration with a bad unit', ['advance', '5x'], 'Error: invalid duration "5x": use Go\'s syntax, e.g. 450ms, 30s, 2m, 1h30m'],
  ['duration half-written', ['advance', '1h30'], 'Error: invalid duration "1h30": use Go\'s syntax, e.g. 450ms, 30s, 2m, 1h30m'],
  ['empty duration', ['advance', ''], 'Error: invalid duration "": use Go\'s syntax, e.g. 450ms, 30s, 2m, 1h30m'],
  ['duration flag', ['--on', 'spare', 'swarm', 'init', '--dispatcher-heartbeat', '5 s'], 'Error: invalid argument "5 s" for "--dispatcher-heartbeat" flag: time: invalid duration "5 s"'],
  ['IP with a big octet', ['host', 'add', 'h9', '--ip', '999.1.1.1'], 'Error: invalid IP address: 999.1.1.1'],
  ['IP with 3 octets', ['host', 'add', 'h9', '--ip', '10.0.0'], 'Error: invalid IP address: 10.0.0'],
  ['IP already used', ['host', 'add', 'h9', '--ip', '192.168.99.100'], 'Error: IP address 192.168.99.100 is already used by host manager1'],
  ['CPUs', ['host', 'add', 'h9', '--cpus', 'two'], 'Error: invalid argument "two" for "--cpus" flag: invalid number of CPUs'],
  ['memory', ['host', 'add', 'h9', '--memory', '4XB'], 'Error: invalid argument "4XB" for "--memory" flag: invalid size: \'4XB\''],
  ['platform', ['host', 'add', 'h9', '--platform', 'plan9'], 'Error: invalid platform "plan9": use os/arch, e.g. linux/x86_64 or linux/aarch64'],
  ['availability (node update)', ['node', 'update', '--availability', 'sleepy', 'worker1'], 'Error: Error response from daemon: invalid Availability: "sleepy"'],
  ['availability (swarm join)', ['--on', 'spare', 'swarm', 'join', '--availability', 'sleepy', '--token', 'x', 'manager1:2377'],
    'Error: invalid availability "sleepy", only active, pause and drain are supported'],
  ['role', ['node', 'update', '--role', 'boss', 'worker1'], 'Error: Error response from daemon: invalid Role: "boss"'],
  ['join-token role', ['swarm', 'join-token', 'admin'], 'Error: unknown role admin'],
  ['join token', ['--on', 'spare', 'swarm', 'join', '--token', 'SWMTKN-1-nope', 'manager1:2377'], 'Error: Error response from daemon: invalid join token'],
  ['join token digest not base-36', ['--on', 'spare', 'swarm', 'join', '--token', `SWMTKN-1-${'_'.repeat(50)}-${'a'.repeat(25)}`, 'manager1:2377'],
    'Error: Error response from daemon: invalid join token'],
  ['format template', ['node', 'ls', '--format', '{{.Hostname'], 'Error: template parsing error: template: :1: unclosed action'],
  ['format function', ['node', 'ls', '--format', '{{yaml}}'], 'Error: template parsing error: template: :1: function "yaml" not defined'],
  ['data path address', ['--on', 'spare', 'swarm', 'join', '--data-path-addr', '10.0.0.1:4789', '--token', 'x', 'manager1:2377'],
    'Error: Error response from daemon: data path address must be a non-zero IP address or network interface (without a port number)'],
  ['node filter', ['node', 'ls', '-f', 'colour=blue'], "Error: Error response from daemon: invalid filter 'colour'"],
  ['event number', ['show', 'abc'], 'Error: unknown point "abc": use an event number, head, a branch name or branch@N'],
  ['log range', ['log', '--from', '-1'], 'Error: invalid argument "-1" for "--from" flag: strconv.ParseUint: parsing "-1": invalid syntax'],
  ['event type', ['log', '--type', 'NodeExploded'], 'Error: unknown event type "NodeExploded" (see docs/events.md)'],
  ['step count', ['step', 'two'], 'Error: invalid count "two"'],
  ['predicate', ['find', 'worker1', 'is', 'sad'], expect.stringMatching(/^Error: unknown predicate "worker1 is sad"; try one of: /) as unknown as string],
  ['seed', ['init', '--seed', 'x'], 'Error: invalid seed "x": use an integer from 0 to 4294967295'],
  ['scenario file', ['run', '/nonexistent/file.swarm'], 'Error: cannot read /nonexistent/file.swarm: no such file'],
];

const impossible: Case[] = [
  ['crash a crashed host', ['host', 'crash', 'worker2'], 'Error: host worker2 is already down'],
  ['boot a running host', ['host', 'boot', 'worker1'], 'Error: host worker1 is already up'],
  ['crash a missing host', ['host', 'crash', 'ghost'], 'Error: no such host: ghost'],
  ['add a host twice', ['host', 'add', 'worker1'], 'Error: host worker1 already exists'],
  ['type on a missing host', ['--on', 'ghost', 'node', 'ls'], 'Error: no such host: ghost (add it with: engine host add ghost)'],
  ['type on a crashed host', ['--on', 'worker2', 'node', 'ls'], 'Error: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'],
  ['manager command on a worker', ['--on', 'worker1', 'node', 'ls'], NOT_MANAGER],
  ['manager command outside the swarm', ['--on', 'spare', 'node', 'ls'],
    'Error: Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.'],
  ['init a second swarm', ['--on', 'spare', 'swarm', 'init'], 'Error: the engine simulates one swarm, and it already exists: join it from spare with `swarm join`'],
  ['init on a swarm member', ['--on', 'manager2', 'swarm', 'init'],
    'Error: Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.'],
  ['remove a live node', ['node', 'rm', 'worker1'], expect.stringMatching(new RegExp(`^${FP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}node [0-9a-z]{25} is not down and can't be removed$`)) as unknown as string],
  ['remove a missing node', ['node', 'rm', 'ghost'], 'Error: Error response from daemon: node ghost not found'],
  ['remove a missing label', ['node', 'update', '--label-rm', 'zone', 'worker1'], "Error: key zone doesn't exist in node's labels"],
  ['rewind past the tip', ['rewind', '--to', 'event', '999'], expect.stringMatching(/^Error: the log has \d+ events on branch main; there is no event 999$/) as unknown as string],
  ['show event 0', ['show', '0'], 'Error: event 0 is the empty state before the log; events start at 1'],
  ['checkout a missing branch', ['checkout', 'nowhere'], 'Error: no such branch: nowhere'],
  ['branch name taken', ['branch', 'main'], "Error: a branch named 'main' already exists"],
  ['init twice', ['init'], expect.stringMatching(/^Error: the event log at .* is already initialized \(seed 1\)$/) as unknown as string],
  ['import into a used log', ['import', '/nonexistent'], expect.stringMatching(/^Error: the event log at .* is not empty: import into a new --db folder$/) as unknown as string],
  ['advance backwards', ['advance', '--', '-5s'], 'Error: invalid duration "-5s": time only moves forward'],
];

describe.each([
  ['syntax', syntax],
  ['malformed values', malformed],
  ['impossible transitions', impossible],
] as const)('bad input: %s', (_kind, cases) => {
  it.each(cases as Case[])('%s: engine %j', async (_what, argv, first, usage) => {
    const line = await refused(cli, ...argv);
    expect(line).toEqual(first);
    const r = await cli.run(...argv);
    expect(r.stderr.replace(/\n$/, '').split('\n').slice(1)).toEqual(usage ? [usage] : []);
  });
});

describe('bad input in a scenario file', () => {
  it('a failing line stops the run with its file:line and the error; earlier lines stay recorded', async () => {
    const c = new TestCli();
    try {
      const r = await c.scenario('host add a\nhost add b\n\n# a comment\nhost crash nope\nhost add c\n');
      expectCleanError(r, ['run']);
      expect(r.stderr).toMatch(/^Error: .*scenario-.*\.swarm:5: no such host: nope\n$/);
      expect((await c.ok('host', 'ls')).split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['a', 'b']);
    } finally {
      c.cleanup();
    }
  });

  it('a line marked ! must fail; if it succeeds the run stops', async () => {
    const c = new TestCli();
    try {
      expect((await c.scenario('host add a\n! host crash nope\nhost add b\n')).code).toBe(0);
      const r = await c.scenario('! host add z\n');
      expectCleanError(r, ['run']);
      expect(r.stderr).toMatch(/:1: expected this command to fail, but it succeeded\n$/);
    } finally {
      c.cleanup();
    }
  });
});

describe('every host, swarm, node and engine verb', () => {
  /** Command paths of the real program, for the groups this suite covers. */
  const paths = (() => {
    const program = buildProgram({ session: null as never, io: new BufferIo(), on: null, argv: [], runLine: async () => 0 }, { text: '' });
    const out: { argv: string[]; tool: string; required: number; variadic: boolean }[] = [];
    const walk = (cmd: Command, prefix: string[]) => {
      for (const sub of cmd.commands) {
        if (sub.name() === 'help') continue;
        const argv = [...prefix, sub.name()];
        if (sub.commands.length) walk(sub, argv);
        else out.push({ argv, tool: ['swarm', 'node'].includes(argv[0]!) ? 'docker' : 'engine', required: sub.registeredArguments.filter((a) => a.required).length, variadic: sub.registeredArguments.some((a) => a.variadic) });
      }
    };
    walk(program, []);
    const groups = new Set(['host', 'swarm', 'node', 'log', 'show', 'rewind', 'step', 'diff', 'state', 'branch', 'checkout', 'find', 'init', 'advance', 'replay', 'verify', 'export', 'import', 'run']);
    return out.filter((p) => groups.has(p.argv[0]!));
  })();

  it('covers the verbs of the contract', () => {
    const names = paths.map((p) => p.argv.join(' '));
    for (const v of ['host add', 'host crash', 'host boot', 'swarm init', 'swarm join', 'swarm join-token', 'swarm leave', 'node ls', 'node inspect',
      'node update', 'node promote', 'node demote', 'node rm', 'log', 'show', 'rewind', 'step', 'diff', 'state', 'branch', 'checkout', 'find',
      'init', 'advance', 'replay', 'verify', 'export', 'import', 'run']) expect(names).toContain(v);
  });

  it('an unknown flag: Docker\'s two lines, for every verb, and nothing appended', async () => {
    const before = await fingerprint(cli);
    for (const p of paths) {
      const r = await cli.run(...p.argv, '--no-such-flag');
      expectCleanError(r, p.argv);
      expect(r.stderr).toBe(`Error: unknown flag: --no-such-flag\nSee '${p.tool} ${p.argv.join(' ')} --help'.\n`);
    }
    expect(await fingerprint(cli)).toEqual(before);
  });

  it('a missing argument: "requires …", for every verb that takes one', async () => {
    const before = await fingerprint(cli);
    for (const p of paths.filter((x) => x.required > 0)) {
      const r = await cli.run(...p.argv);
      expectCleanError(r, p.argv);
      const n = p.required;
      expect(r.stderr.split('\n')[0]).toBe(`Error: "${p.tool} ${p.argv.join(' ')}" requires ${p.variadic ? 'at least' : 'exactly'} ${n} argument${n === 1 ? '' : 's'}.`);
    }
    expect(await fingerprint(cli)).toEqual(before);
  });
});
