import type {Hook} from '@oclif/core'

import {hookContext} from '../../../../src/network/require.js'
import type {TeardownHookOptions} from '../../../../src/network/teardown.js'
import {dropNetworkNat} from '../service.js'

/** A network being shut down or destroyed drops its public IPs, NAT rules and public veths. */
const teardown = async function (this: Hook.Context, options: TeardownHookOptions & {config: Parameters<typeof hookContext>[0]}) {
  await dropNetworkNat(hookContext(options.config), options.network)
}

export default teardown
