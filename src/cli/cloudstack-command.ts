import {Command} from '@oclif/core'
import type * as z from 'zod/mini'

import {Deadline} from '../core/deadline.js'
import {CsnetError, describeError, oneLine} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {log, openLog} from '../core/log.js'
import {resolvePaths, type Paths} from '../core/paths.js'
import {setDefaultTimeout} from '../exec/run.js'
import {hostContext, type HostContext} from '../network/context.js'
import {CLOUDSTACK_FLAGS} from '../protocol/catalogue.js'
import type {Invocation} from '../protocol/invocation.js'
import {readFlags, readPayloadFile} from '../protocol/read.js'
import {validatePayload} from '../protocol/validate.js'
import {acquireLock} from '../state/lock.js'
import {checkPeerVersion, forwardToHost, isExit, managementRole} from './role.js'
import {StateStore} from '../state/store.js'
import {cloudstackArgs, cloudstackFlags} from './flags.js'

const LOCK_WAIT_SECONDS = 30

/**
 * Base of every command CloudStack calls. It owns the protocol edge (either wire generation becomes one
 * validated, typed payload), the network/VPC lock, the deadline, logging and the exit-code contract; a
 * subclass only names its schema and calls its service.
 */
export abstract class CloudStackCommand<S extends z.core.$ZodType> extends Command {
  static override args = cloudstackArgs
  static override flags = cloudstackFlags([])
  static override strict = true

  protected abstract readonly schema: S
  /** Commands that change a network lock it (or its VPC); read-only ones may opt out. */
  protected readonly locks: boolean = true

  protected abstract execute(payload: z.output<S>, ctx: HostContext): Promise<void>

  async run(): Promise<void> {
    const paths = resolvePaths()
    openLog(paths.logFile, undefined, managementRole() ? `/tmp/cloudstack-extensions/${paths.extension}.log` : undefined)
    const started = Date.now()
    const command = this.id ?? 'unknown'
    try {
      const invocation = await this.invocation(command)
      if (managementRole() && command !== 'ensure-network-device') {
        const code = await forwardToHost(invocation, paths)
        if (code !== 0) this.exit(code)
        return
      }
      checkPeerVersion()
      const payload = validatePayload(this.schema, invocation.payload)
      this.logUnused(invocation)
      const deadline = new Deadline(invocation.timeoutSeconds, started)
      setDefaultTimeout(deadline.remainingMs())
      const ctx = hostContext(this.config, paths, invocation, deadline)
      log().info({command, generation: invocation.generation, network: invocation.payload.network_id, vpc: invocation.payload.vpc_id}, 'start')
      const lock = this.locks ? this.lockFor(paths, payload as {network_id: string; vpc_id?: string}, deadline, command) : undefined
      try {
        deadline.check('waiting for the lock')
        await this.execute(payload, ctx)
      } finally {
        lock?.release()
      }
      log().info({command, ms: Date.now() - started}, 'done')
    } catch (error) {
      this.fail(command, error)
    }
  }

  private async invocation(command: string): Promise<Invocation> {
    // Spread into parse options, a class only carries its own statics: name the inherited ones explicitly.
    const {args, flags} = await this.parse({args: this.ctor.args, flags: this.ctor.flags, strict: true})
    const payloadFile = args.payload as string | undefined
    const timeout = args.timeout as string | undefined
    if (payloadFile !== undefined) return readPayloadFile(command, payloadFile, timeout)
    return readFlags(command, flags as Record<string, unknown>, timeout)
  }

  private lockFor(paths: Paths, payload: {network_id: string; vpc_id?: string}, deadline: Deadline, command: string) {
    const store = new StateStore(paths.stateDir)
    const scope = {networkId: payload.network_id, vpcId: payload.vpc_id}
    const what = scope.vpcId ? `VPC ${scope.vpcId}` : `network ${scope.networkId}`
    const wait = Math.min(LOCK_WAIT_SECONDS, deadline.remainingMs() / 1000)
    const lock = acquireLock(store.lockPath(scope), wait, `${command}: ${what}`)
    log().debug({lock: lock.path}, 'locked')
    return lock
  }

  /** CloudStack sends fields a command does not read; the reference accepts them, so do we. */
  private logUnused(invocation: Invocation): void {
    const known = new Set(Object.values(CLOUDSTACK_FLAGS).map((spec) => spec.key))
    const unknown = Object.keys(invocation.payload).filter((key) => !known.has(key))
    if (unknown.length > 0) log().debug({fields: unknown}, 'payload fields this command does not use')
  }

  private fail(command: string, error: unknown): never {
    if (isExit(error)) throw error
    const exitCode = error instanceof CsnetError ? error.exitCode : ExitCode.usage
    const message = oneLine(`csnet ${command}: ${describeError(error)}`)
    log().error({command, exitCode, err: error instanceof CsnetError ? undefined : error}, message)
    process.stderr.write(`${message}\n`)
    this.exit(exitCode)
  }
}
