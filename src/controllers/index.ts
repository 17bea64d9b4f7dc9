/** The controllers, in the fixed order the reactor feeds them. */
import { agentController } from './agent/index.js';
import { allocatorController } from './allocator/index.js';
import { constraintEnforcerController } from './constraintenforcer/index.js';
import { livenessController } from './liveness/index.js';
import { netAgentController } from './netagent/index.js';
import { netAllocatorController } from './netallocator/index.js';
import { orchestratorController } from './orchestrator/index.js';
import { raftController } from './raft/index.js';
import { reaperController } from './reaper/index.js';
import { schedulerController } from './scheduler/index.js';
import type { Controller } from './types.js';
import { updaterController } from './updater/index.js';

export const CONTROLLERS: readonly Controller[] = [
  raftController, livenessController, constraintEnforcerController, orchestratorController, updaterController, netAllocatorController, allocatorController,
  schedulerController, agentController, reaperController, netAgentController,
];
export type { Controller, Fact, ControllerDeps } from './types.js';
