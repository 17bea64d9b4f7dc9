/**
 * Seeded PRNG (sfc32), the only source of randomness in the engine.
 * One root seed (recorded in the log's first event); each atomic batch draws from its own stream,
 * derived from (seed, first seq of the batch), so a batch's random choices do not depend on how
 * many numbers earlier batches drew, and replays never need to re-run the generator.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(stream ^ 0x85ebca6b);
    this.c = mix32((seed + stream * 31) ^ 0xc2b2ae35);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  /** `n` random bytes as lower-case hex. */
  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += (this.next() & 0xff).toString(16).padStart(2, '0');
    return s;
  }
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
