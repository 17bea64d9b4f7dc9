/** Slice: services (specs, versions, update status). */
import type { EngineEvent } from '../../events/index.js';
import { invariant } from './invariant.js';
import { tdel, tget, thas, tset } from './table.js';
import type { Service, State } from './types.js';

export function servicesReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'ServiceCreated':
      invariant(!thas(s.services, e.serviceId), `service ${e.serviceId} is new`);
      tset<Service>(s.services, e.serviceId, {
        id: e.serviceId, spec: e.spec, previousSpec: null, endpointPorts: e.endpointPorts, previousEndpointPorts: null, specVersion: 1, version: s.swarm!.raftIndex,
        createdAtMs: s.sim.nowMs, updatedAtMs: s.sim.nowMs, maxSlot: 0, updateStatus: null, vips: [],
      });
      return;
    case 'ServiceUpdated': {
      const svc = service(s, e.serviceId);
      // The updater's own rollback (its status is set just before) leaves no previous spec behind
      // (updater.go rollbackUpdate); `service rollback` swaps the two specs (controlapi UpdateService).
      const automatic = e.rollback && svc.updateStatus?.state === 'rollback_started' && svc.updateStatus.message.startsWith('update rolled back due to');
      svc.previousSpec = automatic ? null : svc.spec;
      svc.previousEndpointPorts = automatic ? null : svc.endpointPorts;
      svc.spec = e.spec;
      svc.endpointPorts = e.endpointPorts;
      svc.specVersion++;
      svc.version = s.swarm!.raftIndex;
      svc.updatedAtMs = s.sim.nowMs;
      // controlapi UpdateService resets UpdateStatus on a new spec; a rollback's status is set by whoever rolls back.
      if (!e.rollback) svc.updateStatus = null;
      return;
    }
    case 'ServiceRemoved':
      service(s, e.serviceId);
      tdel(s.services, e.serviceId);
      return;
    case 'ServiceUpdateStatusChanged': {
      const svc = service(s, e.serviceId);
      svc.updateStatus = e.status;
      svc.version = s.swarm!.raftIndex;
      return;
    }
    case 'TaskCreated': {
      const svc = tget(s.services, e.serviceId);
      if (svc && e.slot > svc.maxSlot) svc.maxSlot = e.slot;
      return;
    }
    default:
      return;
  }
}

function service(s: State, id: string): Service {
  const svc = tget(s.services, id);
  invariant(svc, `service ${id} exists`);
  return svc;
}
