import type {Config} from '@oclif/core'

import type {Deadline} from '../core/deadline.js'
import type {Paths} from '../core/paths.js'
import {NameRegistry} from '../naming/registry.js'
import type {Invocation} from '../protocol/invocation.js'
import {HostDevices} from '../state/devices.js'
import {StateStore} from '../state/store.js'

/** What a host-side service needs, built once per command by the CLI layer. */
export interface HostContext {
  config: Config
  paths: Paths
  invocation: Invocation
  deadline: Deadline
  store: StateStore
  names: NameRegistry
  devices: HostDevices
}

export function hostContext(config: Config, paths: Paths, invocation: Invocation, deadline: Deadline): HostContext {
  return {
    config,
    paths,
    invocation,
    deadline,
    store: new StateStore(paths.stateDir),
    names: new NameRegistry(paths.stateDir),
    devices: new HostDevices(paths.stateDir),
  }
}
