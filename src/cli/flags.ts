import {Args, Flags, type Interfaces} from '@oclif/core'

import {CLOUDSTACK_FLAGS, DETAIL_FLAGS} from '../protocol/catalogue.js'

/**
 * Every CloudStack flag on every CloudStack command (oclif rejects undeclared flags, and CloudStack sends
 * flags a command does not read); the ones the command reads are shown in --help, the rest are hidden.
 */
export function cloudstackFlags(reads: readonly string[]) {
  const flags: Record<string, Interfaces.OptionFlag<string | undefined>> = {}
  for (const [name, spec] of Object.entries(CLOUDSTACK_FLAGS)) {
    flags[name] = Flags.string({summary: spec.summary, hidden: !reads.includes(name), helpGroup: 'PAYLOAD'})
  }
  flags[DETAIL_FLAGS.physical] = Flags.string({
    summary: 'Physical network details JSON (hosts, guest.network.device, public.network.device, ...).',
    helpGroup: 'CLOUDSTACK',
  })
  flags[DETAIL_FLAGS.network] = Flags.string({summary: 'Details ensure-network-device stored for the network, as JSON.', helpGroup: 'CLOUDSTACK'})
  return flags
}

export const cloudstackArgs = {
  payload: Args.string({description: 'Generation-2 payload file (JSON envelope). Omit to pass fields as flags.', required: false}),
  timeout: Args.string({description: 'Seconds the command may take, lock wait included (default 60).', required: false}),
}
