/**
 * A log written by an older engine: its stored states (HEAD's record, snapshots) lack the slices added
 * since. They open with those slices empty; the views, rewinds and new commands work on them.
 */
import { Level } from 'level';
import { afterAll, describe, expect, it } from 'vitest';
import { metaKey, packr, KIND_SNAPSHOT, seqKey } from '../../src/log/codec.js';
import { TestCli } from '../helpers/cli.js';

const cli = new TestCli();
afterAll(() => cli.cleanup());

/** Drops a slice from a stored state record, as an engine from before that slice wrote it. */
function withoutSlice(bytes: Uint8Array, slice: string): Buffer {
  const rec = packr.unpack(bytes) as { state: { slices: Record<string, unknown>; tables: string[] } };
  delete rec.state.slices[slice];
  rec.state.tables = rec.state.tables.filter((t) => t !== slice);
  return packr.pack(rec);
}

describe('stored states without a newer slice', () => {
  it('open with the slice empty: views, rewind and new commands work', async () => {
    await cli.ok('host', 'add', 'm1');
    await cli.ok('--on', 'm1', 'swarm', 'init');
    const script = Array.from({ length: 3000 }, (_, i) => `node update --label-add k=v${i} m1`).join('\n');
    expect((await cli.scenario(`${script}\nservice create -d --name web --replicas 2 nginx\n`)).code).toBe(0);
    const hashBefore = (await cli.ok('state', '--hash')).trim();
    // Rewrite HEAD's record and every snapshot without the `unallocated` index.
    const db = new Level<Uint8Array, Uint8Array>(cli.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    let rewritten = 0;
    const head = await db.get(metaKey('head'));
    if (head) {
      await db.put(metaKey('head'), withoutSlice(head, 'unallocated'));
      rewritten++;
    }
    for await (const [k, v] of db.iterator({ gte: seqKey(KIND_SNAPSHOT, 0, 0), lte: seqKey(KIND_SNAPSHOT, 0xffff, 2 ** 47) })) {
      await db.put(k, withoutSlice(v, 'unallocated'));
      rewritten++;
    }
    await db.close();
    expect(rewritten).toBeGreaterThanOrEqual(2);
    // The state is the same as before (the index was empty), so its hash is too.
    expect((await cli.ok('state', '--hash')).trim()).toBe(hashBefore);
    expect(await cli.ok('service', 'ls', '-q')).toMatch(/^[0-9a-z]{12}\n$/);
    expect((await cli.ok('rewind', '--to', 'event', '2500')).split('\n')[0]).toMatch(/^HEAD is now at event 2500 /);
    await cli.ok('checkout', 'main');
    await cli.ok('service', 'scale', '-d', 'web=3');
    expect(await cli.ok('service', 'ls', '--format', '{{.Replicas}}')).toBe('3/3\n');
    expect(await cli.ok('verify')).toMatch(/^ok: /);
  });
});
