/** What makes a task "dirty" (swarmkit orchestrator/task.go IsTaskDirty): its spec differs from the service's. */
import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../../../events/index.js';
import { canonicalJson } from '../../state/hash.js';

/** Digest of the task template (placement excluded: a constraint-only change restarts nothing). */
export function taskSpecKey(spec: ServiceSpec): string {
  const template = {
    image: spec.image, command: spec.command, args: spec.args, env: spec.env, hostname: spec.hostname, workdir: spec.workdir,
    user: spec.user, containerLabels: spec.containerLabels, reservations: spec.reservations, limits: spec.limits,
    restart: spec.restart, secrets: spec.secrets, configs: spec.configs, mounts: spec.mounts, networks: spec.networks,
    forceUpdate: spec.forceUpdate, stopGracePeriodMs: spec.stopGracePeriodMs, ports: spec.ports, endpointMode: spec.endpointMode,
    // Attachment aliases and driver options are part of TaskSpec.Networks (absent: the key is unchanged).
    networkOptions: spec.networkOptions,
  };
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 16);
}

const keys = new WeakMap<ServiceSpec, string>();

/** taskSpecKey, computed once per spec object (specs are immutable once in the state). */
export function cachedKey(spec: ServiceSpec): string {
  let k = keys.get(spec);
  if (k === undefined) {
    k = taskSpecKey(spec);
    keys.set(spec, k);
  }
  return k;
}

/**
 * The spec a task was made from (swarmkit keeps a copy in Task.Spec): the service's current spec or,
 * for tasks of the previous version (before an update or a rollback), its previous spec. Views use it
 * so that `service ps` and `docker ps` show an old task with the image it ran.
 */
export function taskSpecOf(svc: { spec: ServiceSpec; previousSpec: ServiceSpec | null }, t: { specKey: string }): ServiceSpec {
  if (t.specKey === cachedKey(svc.spec)) return svc.spec;
  if (svc.previousSpec && t.specKey === cachedKey(svc.previousSpec)) return svc.previousSpec;
  return svc.spec;
}
