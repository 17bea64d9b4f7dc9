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
  };
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 16);
}
