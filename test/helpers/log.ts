/** Reading the log from the outside (`engine log --json`), to find the events a test talks about. */
import type { TestCli } from './cli.js';

export interface LogLine {
  seq: number;
  atMs: number;
  batch: number;
  type: string;
  event: Record<string, unknown> & { type: string };
  prevHash: string;
  hash: string;
}

export async function readLog(cli: TestCli, ...args: string[]): Promise<LogLine[]> {
  return (await cli.ok('log', '--json', ...args)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

/** The first event matching, or a test failure naming what was looked for. */
export async function findEvent(cli: TestCli, what: string, match: (e: LogLine) => boolean): Promise<LogLine> {
  const e = (await readLog(cli)).find(match);
  if (!e) throw new Error(`no event in the log: ${what}`);
  return e;
}

/** The last seq of the batch an event belongs to. */
export async function batchEnd(cli: TestCli, batch: number): Promise<number> {
  return Math.max(...(await readLog(cli)).filter((e) => e.batch === batch).map((e) => e.seq));
}
