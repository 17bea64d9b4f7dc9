/** Points in time the engine verbs accept: `412`, `head`, a branch name, `branch@412`. */
import { reject } from '../../commands/rejection.js';
import type { Session } from '../../engine/session.js';

export interface Point {
  branch: number;
  seq: number;
  label: string;
}

export function resolvePoint(session: Session, ref: string): Point {
  const head = session.head;
  if (ref === 'head' || ref === 'HEAD') return { branch: head.branch, seq: session.headSeq(), label: `HEAD (event ${session.headSeq()})` };
  const at = /^(.*)@(\d+)$/.exec(ref);
  if (at) {
    const b = session.branchByName(at[1]!);
    if (!b) reject(`no such branch: ${at[1]}`);
    const seq = Number(at[2]);
    if (seq > b.tipSeq) reject(`branch ${b.name} has ${b.tipSeq} events; there is no event ${seq}`);
    return { branch: b.id, seq, label: `${b.name}@${seq}` };
  }
  if (/^\d+$/.test(ref)) {
    const b = session.branch(head.branch);
    const seq = Number(ref);
    if (seq > b.tipSeq) reject(`the log has ${b.tipSeq} events on branch ${b.name}; there is no event ${seq}`);
    return { branch: b.id, seq, label: `event ${seq}` };
  }
  const b = session.branchByName(ref);
  if (!b) reject(`unknown point "${ref}": use an event number, head, a branch name or branch@N`);
  return { branch: b.id, seq: b.tipSeq, label: `${b.name} (event ${b.tipSeq})` };
}
