/** What every CLI action gets: the session, the output, the host the command is typed on. */
import type { EngineEvent } from '../../events/index.js';
import { typedOn } from '../commands/access.js';
import { redactArgv } from '../commands/sealing.js';
import type { Driver, ExecResult, Session } from '../engine/session.js';
import type { Prng } from '../sim/prng.js';
import type { Host, State } from '../state/types.js';
import type { Io } from './io.js';

export interface CliContext {
  session: Session;
  io: Io;
  /** The global `--on HOST`, if given. */
  on: string | null;
  /** The command line as typed (without `--db`), recorded with the batch it produces. */
  argv: string[];
  /** Standard input, read when a command asks for `-`. */
  stdin(): Buffer;
  /** Runs one engine command line (used by `engine run`). */
  runLine(argv: string[], io: Io, stdin?: Buffer): Promise<number>;
}

/** The state at HEAD. */
export function state(ctx: CliContext): State {
  return ctx.session.state;
}

/** The host the docker command is typed on. */
export function host(ctx: CliContext): Host {
  return typedOn(ctx.session.state, ctx.on);
}

/** Executes a driver as one atomic batch; acting at a rewound HEAD forks a branch (and says so). */
export async function exec(ctx: CliContext, driver: Driver): Promise<ExecResult> {
  await ctx.session.checkForkPoint();
  const r = ctx.session.execute({ argv: redactArgv(ctx.argv), on: ctx.on }, driver);
  if (r.forked) {
    ctx.io.err(`HEAD was at event ${r.forked.forkSeq}: this command starts branch '${r.forked.name}' (the old future stays on '${ctx.session.branch(r.forked.parent!).name}')\n`);
  }
  return r;
}

/** Executes a pure decider as one atomic batch. */
export function decide(ctx: CliContext, fn: (s: State, rng: Prng) => EngineEvent[]): Promise<ExecResult> {
  return exec(ctx, (io) => io.emit(fn(io.state(), io.rng)));
}
