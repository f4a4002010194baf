import type {Hook} from '@oclif/core'

import {COMMAND_OWNERS} from '../cli/command-owners.js'
import {openLog, log} from '../core/log.js'
import {resolvePaths} from '../core/paths.js'

/** One clear line (CloudStack stores our output) instead of oclif's suggestion prompt. */
const hook: Hook<'command_not_found'> = async function (options) {
  openLog(resolvePaths().logFile)
  // With a space topic separator oclif folds following words into the id ("assign-ip:x").
  const id = options.id.split(':')[0] ?? options.id
  const owner = COMMAND_OWNERS[id]
  const message = owner
    ? `csnet: command "${id}" is provided by ${owner}, which is not installed on this host (see csnet plugins)`
    : `csnet: unknown command "${id}"; available: ${options.config.commandIDs.filter((c) => !c.startsWith('plugins')).sort().join(', ')}`
  log().error({command: id}, message)
  process.stderr.write(`${message}\n`)
  this.exit(1)
}

export default hook
