import type {Hook} from '@oclif/core'
import {existsSync} from 'node:fs'

import {COMMAND_OWNERS} from '../cli/command-owners.js'
import {forwardToHost, managementRole} from '../cli/role.js'
import {CsnetError, describeError, oneLine} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {log, openLog} from '../core/log.js'
import {resolvePaths} from '../core/paths.js'
import {readFlags, readPayloadFile} from '../protocol/read.js'

/** `--name value` pairs, for forwarding a command whose plugin only the hosts have. */
function flagPairs(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {}
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index]!
    if (!token.startsWith('--')) continue
    const eq = token.indexOf('=')
    if (eq > 0) flags[token.slice(2, eq)] = token.slice(eq + 1)
    else flags[token.slice(2)] = argv[++index] ?? ''
  }
  return flags
}

/**
 * One clear line (CloudStack stores our output) instead of oclif's suggestion prompt. On the management
 * server a CloudStack command is forwarded even when its plugin is only installed on the hosts.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const paths = resolvePaths()
  openLog(paths.logFile, undefined, managementRole() ? `/tmp/cloudstack-extensions/${paths.extension}.log` : undefined)
  // With a space topic separator oclif folds following words into the id ("assign-ip:x").
  const [id = options.id, ...folded] = options.id.split(':')
  const owner = COMMAND_OWNERS[id]
  if (owner && managementRole()) {
    const argv = [...folded, ...(options.argv ?? [])]
    try {
      const invocation = argv[0] && !argv[0].startsWith('--') && existsSync(argv[0]) ? readPayloadFile(id, argv[0], argv[1]) : readFlags(id, flagPairs(argv), undefined)
      const code = await forwardToHost(invocation, paths)
      this.exit(code)
    } catch (error) {
      if (typeof (error as {oclif?: {exit?: number}}).oclif?.exit === 'number') throw error
      const message = oneLine(`csnet ${id}: ${describeError(error)}`)
      log().error({command: id}, message)
      process.stderr.write(`${message}\n`)
      this.exit(error instanceof CsnetError ? error.exitCode : ExitCode.usage)
    }
  }
  const message = owner
    ? `csnet: command "${id}" is provided by ${owner}, which is not installed on this host (see csnet plugins)`
    : `csnet: unknown command "${id}"; available: ${options.config.commandIDs.filter((c) => !c.startsWith('plugins')).sort().join(', ')}`
  log().error({command: id}, message)
  process.stderr.write(`${message}\n`)
  this.exit(1)
}

export default hook
