/** engine verify: an intact log passes; a tampered one is named at its first bad event. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/store.js';
import { TestCli } from '../helpers/cli.js';
import { findEvent, readLog } from '../helpers/log.js';

const REPLAY = join(__dirname, '..', '..', 'replays', 'five-node-swarm.swarm');
let cli: TestCli;
beforeEach(async () => {
  cli = new TestCli();
  await cli.ok('run', '-q', REPLAY);
});
afterEach(() => cli.cleanup());

/** Opens the closed log directly (as another tool would), rewrites one event's stored bytes, closes it. */
async function tamper(seq: number, change: (bytes: Buffer) => Buffer): Promise<void> {
  const log = await EventLog.open(cli.dir);
  try {
    const raw = await log.getRaw(1, seq);
    expect(raw, `event ${seq} is stored`).toBeDefined();
    await log.putRaw(1, seq, change(Buffer.from(raw!)));
  } finally {
    await log.close();
  }
}

/** Same length, one word changed: still a well-formed record, but not the one the chain hashed. */
const rename = (from: string, to: string) => (b: Buffer): Buffer => {
  const i = b.indexOf(from);
  expect(i, `"${from}" is in the record`).toBeGreaterThan(31);
  const out = Buffer.from(b);
  out.write(to, i);
  return out;
};

describe('engine verify', () => {
  it('passes on an intact log, counting its events', async () => {
    const n = (await readLog(cli)).length;
    expect(await cli.ok('verify')).toBe(`ok: ${n} events in 1 branch; hash chains intact; every replay matches its recorded state\n`);
    expect(await cli.ok('replay')).toMatch(new RegExp(`^replayed ${n} events of main: state [0-9a-f]{64} matches the recorded hash \\(\\d+ checkpoints\\)\\n$`));
  });

  it('names the first bad event after an edited field (a record that still decodes and replays)', async () => {
    const e = await findEvent(cli, 'worker1 added', (x) => x.type === 'HostAdded' && x.event.name === 'worker1');
    expect(e.event.ip).toBe('192.168.99.103');
    await tamper(e.seq, rename('192.168.99.103', '192.168.99.193'));
    const r = await cli.run('verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^Error: event ${e.seq} of branch main is corrupt: its content hashes to [0-9a-f]{12}…, the chain recorded ${e.hash.slice(0, 12)}…\\n$`));
  });

  it('names the event whose command line was edited: the chain covers the command a batch\'s first record carries', async () => {
    const e = await findEvent(cli, 'worker1 added', (x) => x.type === 'HostAdded' && x.event.name === 'worker1');
    expect(e.batch, 'HostAdded opens its batch').toBe(e.seq);
    expect((await cli.ok('show', String(e.seq)))).toContain('host add worker1 --ip 192.168.99.103');
    await tamper(e.seq, rename('--ip', '--iq'));
    const r = await cli.run('verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: event ${e.seq} of branch main is corrupt: its content hashes to [0-9a-f]{12}…, the chain recorded ${e.hash.slice(0, 12)}…\n$`));
  });

  it('names the event whose record was swapped for another valid one (event 1\'s): it links to the wrong predecessor', async () => {
    const log = await readLog(cli);
    const last = log.at(-1)!;
    const db = await EventLog.open(cli.dir);
    const first = Buffer.from((await db.getRaw(1, 1))!);
    await db.close();
    await tamper(last.seq, () => first);
    const r = await cli.run('verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: event ${last.seq} of branch main is corrupt: it links to ${'0'.repeat(12)}…, not to the previous event ${log.at(-2)!.hash.slice(0, 12)}…\n`);
  });

  // Formerly a known bug: Session.open replayed the log up to HEAD before any command ran, so a record that
  // no longer decodes, or that replays into an invariant violation, broke every command, verify included.
  // A log closed by the engine now records HEAD's state, and opening decodes that instead of replaying.
  it.each<[string, (seq: number) => Promise<void>]>([
    ['a truncated record', (seq) => tamper(seq, (b) => b.subarray(0, 20))],
    ['a renamed host (later events refer to the old name)', (seq) => tamper(seq, rename('worker1', 'worker9'))],
  ])('verify names the bad event after %s, even though later events depend on it', async (_what, tamperWith) => {
    const e = await findEvent(cli, 'worker1 added', (x) => x.type === 'HostAdded' && x.event.name === 'worker1');
    await tamperWith(e.seq);
    const r = await cli.run('verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: event ${e.seq} of branch main is corrupt: `));
  });

  it('tampering late in the log names that late event, not an earlier one', async () => {
    const last = (await readLog(cli)).at(-1)!;
    await tamper(last.seq, rename('ClockAdvanced', 'ClockAdvancee'));
    expect((await cli.run('verify')).stderr).toMatch(new RegExp(`^Error: event ${last.seq} of branch main is corrupt: `));
  });
});
