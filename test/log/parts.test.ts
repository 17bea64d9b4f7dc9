/**
 * Stored states: parts packed with each entry's bytes reused across snapshots, and the tip's state hash,
 * which group commits leave unknown and the closing flush records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.js';
import { packPart, packr } from '../../src/log/codec.js';
import { EventLog } from '../../src/log/store.js';
import { stateHash } from '../../src/state/hash.js';
import { emptyTable, tableParts, tset, type Table } from '../../src/state/table.js';
import { produce } from 'immer';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'swarm-engine-parts-'));
  dirs.push(d);
  return d;
};

type Entry = { id: string; n: number; tags: string[]; nested: { a: string | null } };

function tableOf(count: number, key = (i: number) => `k${i}`): Table<Entry> {
  return produce(emptyTable<Entry>(), (d) => {
    for (let i = 0; i < count; i++) tset(d, key(i), { id: key(i), n: i, tags: ['x', String(i)], nested: { a: i % 2 ? null : 'é' } });
  });
}

describe('packPart', () => {
  it('decodes (with msgpackr) to the same trie as msgpackr packs, for tables of 3 to 5,000 entries, long keys and non-ASCII keys', () => {
    for (const t of [tableOf(3), tableOf(5000), tableOf(70, (i) => `clé-${i}-${'z'.repeat(40)}`)]) {
      for (const part of tableParts(t)) {
        if (part === null) continue;
        expect(packr.unpack(packPart(part))).toEqual(packr.unpack(packr.pack(part)));
      }
    }
  });

  it('reuses the bytes of unchanged entries and leaves, and never the stale bytes of a changed entry', () => {
    const before = tableOf(2000);
    const first = tableParts(before).map((p) => (p ? packPart(p) : null));
    // The same parts again: byte for byte the same (from the caches).
    expect(tableParts(before).map((p) => (p ? packPart(p) : null))).toEqual(first);
    // Change one entry: its part differs, and decodes to the new value.
    const after = produce(before, (d) => tset(d, 'k7', { id: 'k7', n: -1, tags: [], nested: { a: 'changed' } }));
    const parts = tableParts(after);
    const changed = parts.findIndex((p, i) => p !== tableParts(before)[i]);
    expect(changed).toBeGreaterThanOrEqual(0);
    const decoded = packr.unpack(packPart(parts[changed]!)) as unknown;
    expect(decoded).toEqual(packr.unpack(packr.pack(parts[changed]!)));
    expect(JSON.stringify(decoded)).toContain('"changed"');
    parts.forEach((p, i) => {
      if (i !== changed && p) expect(packPart(p)).toEqual(first[i]);
    });
  });
});

describe('the tip state hash', () => {
  it('is left unknown by group commits and recorded by the closing flush; replay checks the tip against it', async () => {
    const dir = tempDir();
    const s = await Session.open(dir);
    s.execute({ argv: ['host', 'add', 'h1'], on: null }, (io) => io.emit([{ type: 'HostAdded', name: 'h1', ip: '10.0.0.9', nanoCpus: 2e9, memoryBytes: 2 ** 30, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: '28.2.2' }]));
    await s.flushBehind();
    await s.log.settle();
    expect(s.log.meta?.branches[0]?.tipStateHash).toBe('');
    const expected = stateHash(s.state);
    await s.close();
    const log = await EventLog.open(dir);
    try {
      expect(log.meta?.branches[0]?.tipStateHash).toBe(expected);
    } finally {
      await log.close();
    }
  });
});
