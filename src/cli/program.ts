/** The command tree, built per command line so that tests drive it in process. */
import { Command, CommanderError } from 'commander';
import { Rejection } from '../commands/rejection.js';
import { ENGINE_PACKAGE_VERSION, type Session } from '../engine/session.js';
import { LogError } from '../log/store.js';
import { InvariantError } from '../state/invariant.js';
import type { CliContext } from './context.js';
import { registerHost } from './docker/host.js';
import { registerNode } from './docker/node.js';
import { registerSwarm } from './docker/swarm.js';
import { registerService } from './docker/service.js';
import { registerObjects } from './docker/objects.js';
import { registerContainers } from './docker/container.js';
import { registerTask } from './engine/task.js';
import { registerStack } from './docker/stack.js';
import { registerNetwork } from './docker/network.js';
import { registerHostTools } from './docker/hosttools.js';
import { registerAdmin } from './engine/admin.js';
import { readScenario, runScenario } from './engine/scenario.js';
import { registerTimeTravel } from './engine/timetravel.js';
import type { Io } from './io.js';

const DOCKER_GROUPS = new Set(['swarm', 'node', 'service', 'network', 'secret', 'config', 'stack', 'volume', 'container']);

export function buildProgram(ctx: CliContext, captured: { text: string }): Command {
  const program = new Command('engine')
    .description('swarm-engine: a deterministic, event-sourced Docker Swarm simulator with time travel')
    .usage('[--db DIR] [--on HOST] COMMAND')
    .option('--db <dir>', 'the event log folder (default ./.engine, or $ENGINE_DB)')
    .option('--on <host>', 'the simulated host a docker command is typed on (default: the leader)')
    .version(ENGINE_PACKAGE_VERSION, '-V, --version', 'the engine version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => { captured.text += s; }, outputError: () => undefined })
    .showSuggestionAfterError(false)
    .enablePositionalOptions();
  registerHost(program, ctx);
  registerSwarm(program, ctx);
  registerNode(program, ctx);
  registerService(program, ctx);
  registerObjects(program, ctx);
  registerContainers(program, ctx, (file, quiet) => runScenario(file, readScenario(file), (argv, io, stdin) => ctx.runLine(argv, io, stdin), ctx.io, { quiet }));
  registerTask(program, ctx);
  registerStack(program, ctx);
  registerNetwork(program, ctx);
  registerHostTools(program, ctx);
  registerAdmin(program, ctx);
  registerTimeTravel(program, ctx);
  return program;
}

/** The deepest subcommand named by argv, and its docker-style path. */
function commandPath(program: Command, argv: string[]): { cmd: Command; path: string } {
  let cmd = program;
  const names: string[] = [];
  for (const w of argv) {
    if (w.startsWith('-')) break;
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!sub) break;
    cmd = sub;
    names.push(sub.name());
  }
  const tool = names.length && DOCKER_GROUPS.has(names[0]!) ? 'docker' : 'engine';
  return { cmd, path: `${tool} ${names.join(' ')}`.trim() };
}

function argumentsMessage(cmd: Command, path: string): string {
  const args = cmd.registeredArguments;
  const required = args.filter((a) => a.required).length;
  if (args.length === 0) return `"${path}" accepts no arguments.`;
  if (args.some((a) => a.variadic)) return `"${path}" requires at least ${required} argument${required === 1 ? '' : 's'}.`;
  if (required === args.length) return `"${path}" requires exactly ${required} argument${required === 1 ? '' : 's'}.`;
  return `"${path}" accepts at most ${args.length} argument${args.length === 1 ? '' : 's'}.`;
}

/** Turns commander's parse errors into Docker's wording. */
function commanderMessage(err: CommanderError, program: Command, argv: string[]): string {
  const { cmd, path } = commandPath(program, argv);
  const usage = `See '${path} --help'.`;
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'commander.unknownOption':
      return quoted.startsWith('--') ? `unknown flag: ${quoted}\n${usage}` : `unknown shorthand flag: '${quoted.replace(/^-/, '')[0]}' in ${quoted}\n${usage}`;
    case 'commander.unknownCommand':
      return `unknown command "${quoted}" for "${path}"\nRun '${path} --help' for usage.`;
    case 'commander.missingArgument':
    case 'commander.excessArguments':
      return `${argumentsMessage(cmd, path)}\n${usage}`;
    case 'commander.optionMissingArgument':
      return `flag needs an argument: ${quoted.split(/[ ,]/).filter((x) => x.startsWith('--')).at(-1) ?? quoted}\n${usage}`;
    case 'commander.missingMandatoryOptionValue':
      return `required flag(s) "${(quoted.split(' ')[0] ?? '').replace(/^--/, '')}" not set\n${usage}`;
    default:
      return err.message.replace(/^error: /, '');
  }
}

export interface LineOptions {
  session: Session;
  io: Io;
  on: string | null;
  stdin?: () => Buffer;
}

/** A built command tree and the context its actions read (mutated per command line). */
interface Built {
  program: Command;
  ctx: CliContext;
  captured: { text: string };
}

/**
 * Built programs waiting for reuse. Building the tree costs about a millisecond, so scenario lines reuse
 * one (commander restores its option state before each parse); a nested run (`$(…)`, `engine run`)
 * takes another from the pool, so no tree is ever parsed twice at once.
 */
const pool: Built[] = [];

function acquire(): Built {
  const b = pool.pop();
  if (b) return b;
  const ctx = {} as CliContext;
  const captured = { text: '' };
  return { program: buildProgram(ctx, captured), ctx, captured };
}

/** Runs one command line (global `--on` already taken out) and returns its exit code. */
export async function runCommand(argv: string[], opts: LineOptions, runLine: CliContext['runLine']): Promise<number> {
  const built = acquire();
  try {
    return await parseLine(built, argv, opts, runLine);
  } finally {
    pool.push(built);
  }
}

async function parseLine(built: Built, argv: string[], opts: LineOptions, runLine: CliContext['runLine']): Promise<number> {
  const { program, ctx, captured } = built;
  captured.text = '';
  Object.assign(ctx, { session: opts.session, io: opts.io, on: opts.on, argv, runLine, stdin: opts.stdin ?? (() => Buffer.alloc(0)) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') {
        opts.io.out(captured.text);
        return 0;
      }
      opts.io.err(`Error: ${commanderMessage(e, program, argv)}\n`);
      return 1;
    }
    if (e instanceof Rejection) {
      opts.io.err(`Error: ${e.message}\n${e.usage ? e.usage + '\n' : ''}`);
      return 1;
    }
    if (e instanceof LogError) {
      opts.io.err(`Error: ${e.message}\n`);
      return 1;
    }
    // Anything else is a bug in the engine, never the user's mistake: one line, no stack (unless ENGINE_DEBUG).
    const kind = e instanceof InvariantError ? '' : `${(e as Error)?.name ?? 'Error'}: `;
    opts.io.err(`Error: internal error (a bug in swarm-engine, not your input): ${kind}${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.ENGINE_DEBUG) opts.io.err(`${(e as Error)?.stack}\n`);
    return 70;
  }
}
