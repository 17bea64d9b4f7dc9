/**
 * The tip's state hash, which group commits leave unknown and the closing flush records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.js';
import { EventLog } from '../../src/log/store.js';
import { stateHash } from '../../src/state/hash.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'swarm-engine-parts-'));
  dirs.push(d);
  return d;
};

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
