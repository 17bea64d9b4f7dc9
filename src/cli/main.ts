/** The CLI entry point: the only place with argv, the environment, stdout and exit codes. */
import { readFileSync } from 'node:fs';
import { FLUSH_EVERY_EVENTS, Session } from '../engine/session.js';
import { LogError } from '../log/store.js';
import { BufferIo, StreamIo, type Io } from './io.js';
import { runCommand } from './program.js';

/** Takes the leading global options (`--db DIR`, `--on HOST`) off a command line. */
export function splitGlobals(argv: string[]): { db?: string; on: string | null; rest: string[]; error?: string } {
  let db: string | undefined;
  let on: string | null = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(db|on)(?:=(.*))?$/.exec(a);
    if (!m) break;
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === '') return { on, rest: [], error: `flag needs an argument: --${m[1]}` };
    if (m[1] === 'db') db = v;
    else on = v;
  }
  return { db, on, rest: argv.slice(i) };
}

/** Standard input, read once when a command asks for `-`. */
function readStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

const NO_DB = new Set(['--help', '-h', 'help', '--version', '-V']);

/** Runs `engine ARGV`; returns the exit code. Tests call it in process with a BufferIo. */
export async function main(argv: string[], io: Io = new StreamIo(process.stdout, process.stderr), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const g = splitGlobals(argv);
  const flush = () => (io instanceof StreamIo ? io.flush() : undefined);
  if (g.error) {
    io.err(`Error: ${g.error}\n`);
    return 1;
  }
  if (g.rest.length === 0 || NO_DB.has(g.rest[0]!) || g.rest.includes('--help') || g.rest.includes('-h')) {
    const code = await runCommand(g.rest.length ? g.rest : ['--help'], { session: null as never, io, on: g.on }, async () => 1);
    flush();
    return code;
  }
  const dir = g.db ?? (env.ENGINE_DB || '.engine');
  let session: Session;
  try {
    session = await Session.open(dir);
  } catch (e) {
    io.err(`Error: ${e instanceof LogError ? e.message : `cannot open the event log at ${dir}: ${(e as Error).message}`}\n`);
    return 1;
  }
  let code = 1;
  try {
    const runLine = async (line: string[], lineIo: Io, stdin?: Buffer): Promise<number> => {
      const lg = splitGlobals(line);
      if (lg.error) {
        lineIo.err(`Error: ${lg.error}\n`);
        return 1;
      }
      if (lg.db) {
        lineIo.err('Error: --db cannot change inside a scenario\n');
        return 1;
      }
      const lineCode = await runCommand(lg.rest, { session, io: lineIo, on: lg.on, stdin: () => stdin ?? Buffer.alloc(0) }, runLine);
      // Group commit: a long scenario writes its batches every few thousand events, in the background.
      if (session.pendingEvents >= FLUSH_EVERY_EVENTS) await session.flushBehind();
      return lineCode;
    };
    code = await runCommand(g.rest, { session, io, on: g.on, stdin: readStdin }, runLine);
  } finally {
    await session.close();
    flush();
  }
  return code;
}

export { BufferIo };
