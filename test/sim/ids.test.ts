/** IDs in Docker's formats, from the seeded PRNG only. */
import { describe, expect, it } from 'vitest';
import { hexToBase36, joinToken, parseJoinToken, swarmId, tokenSecret } from '../../src/sim/ids.js';
import { Prng } from '../../src/sim/prng.js';

describe('ids', () => {
  it('swarm object IDs are 25 lower-case base-36 characters, reproducible from (seed, stream)', () => {
    const a = new Prng(1, 9);
    const ids = Array.from({ length: 50 }, () => swarmId(a));
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{25}$/);
    expect(new Set(ids).size).toBe(50);
    const b = new Prng(1, 9);
    expect(Array.from({ length: 50 }, () => swarmId(b))).toEqual(ids);
    expect(swarmId(new Prng(2, 9))).not.toBe(ids[0]);
    expect(swarmId(new Prng(1, 10))).not.toBe(ids[0]);
  });

  it('a join token is SWMTKN-1-<CA digest, 50 base-36>-<secret, 25 base-36>', () => {
    const digest = 'f'.repeat(64);
    const secret = tokenSecret(new Prng(3, 3));
    expect(secret).toMatch(/^[0-9a-z]{25}$/);
    const token = joinToken(digest, secret);
    expect(token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(parseJoinToken(token)).toEqual({ digest36: hexToBase36(digest, 50), secret });
    expect(hexToBase36('00'.repeat(31) + '0a', 50)).toBe('0'.repeat(49) + 'a');
    expect(BigInt('0x' + digest).toString(36)).toBe(hexToBase36(digest, 50).replace(/^0+/, ''));
  });

  it('a token that does not parse: wrong prefix, version, part count or part length', () => {
    const ok = joinToken('ab'.repeat(32), 'x'.repeat(25));
    const [, , d, s] = ok.split('-');
    for (const bad of ['', 'SWMTKN', `SWMTKN-2-${d}-${s}`, `SWMTKN-1-${d}`, `SWMTKN-1-${d}-${s}-x`, `SWMTKN-1-${d}x-${s}`, `SWMTKN-1-${d}-${s!.slice(1)}`, `swmtkn-1-${d}-${s}`]) {
      expect(parseJoinToken(bad), bad).toBeNull();
    }
  });
});
