/** A broken invariant is an engine bug, never a user mistake: it fails loudly. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InvariantError(`invariant violated: ${message}`);
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(x: never): never {
  throw new InvariantError(`unexpected value ${JSON.stringify(x)}`);
}
