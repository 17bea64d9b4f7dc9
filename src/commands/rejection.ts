/** A command refused: the message is what Docker (or the engine) says, printed after `Error: `. */
export class Rejection extends Error {
  override name = 'Rejection';
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** Refuses the command with Docker's message. */
export function reject(message: string, usage?: string): never {
  throw new Rejection(message, usage);
}

/** The daemon's answer, as the docker CLI prints it. */
export function daemon(message: string): never {
  throw new Rejection(`Error response from daemon: ${message}`);
}

/** A gRPC error from the swarm manager, as dockerd relays it. */
export function rpc(code: 'InvalidArgument' | 'NotFound' | 'FailedPrecondition' | 'AlreadyExists' | 'Unknown' | 'PermissionDenied' | 'ResourceExhausted' | 'Unimplemented', desc: string): never {
  throw new Rejection(`Error response from daemon: rpc error: code = ${code} desc = ${desc}`);
}
