/** The controllers, in the fixed order the reactor feeds them. */
import { livenessController } from './liveness/index.js';
import { raftController } from './raft/index.js';
import type { Controller } from './types.js';

export const CONTROLLERS: readonly Controller[] = [raftController, livenessController];
export type { Controller, Fact, ControllerDeps } from './types.js';
