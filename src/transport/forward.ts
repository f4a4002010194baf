import {CsnetError, InputError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {log} from '../core/log.js'
import type {Paths} from '../core/paths.js'
import {COMMAND_OWNERS} from '../cli/command-owners.js'
import {DETAIL_FLAGS} from '../protocol/catalogue.js'
import type {Invocation} from '../protocol/invocation.js'
import type {TransportSettings} from './settings.js'
import {connect, execute, SshError} from './ssh.js'

/** Secrets of the management server never leave it. */
const PRIVATE_DETAILS = ['sshkey', 'password']

/** Exit code the remote script uses when it could not store the payload (mapped to an SSH-level failure). */
const UPLOAD_FAILED = 97

export const PROTOCOL_VERSION = '0.1'

/** How long past the protocol timeout both sides wait before giving up on the host-side executor. */
export const DEADLINE_GRACE_SECONDS = 5

export function remoteExecutor(paths: Paths, env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CS_NET_SCRIPT_PATH || env.CSNET_REMOTE_EXECUTOR || `/etc/cloudstack/extensions/${paths.extension}/${paths.extension}-wrapper.sh`
  if (!/^\/[A-Za-z0-9_./-]+$/.test(path)) throw new InputError(`remote executor path ${JSON.stringify(path)} must be an absolute path of letters, digits, . _ - /`)
  return path
}

/** The generation-2 envelope the host-side executor reads, whichever generation CloudStack used here. */
export function forwardedPayload(invocation: Invocation): Buffer {
  const physical = Object.fromEntries(Object.entries(invocation.physical).filter(([key]) => !PRIVATE_DETAILS.includes(key)))
  const envelope =
    invocation.command === 'custom-action'
      ? {...invocation.payload, [DETAIL_FLAGS.physical]: physical, [DETAIL_FLAGS.network]: invocation.details}
      : {[DETAIL_FLAGS.physical]: physical, [DETAIL_FLAGS.network]: invocation.details, payload: invocation.payload}
  return Buffer.from(JSON.stringify(envelope))
}

/**
 * The one remote command line: constants, the executor path and command name (both checked), the timeout (an
 * integer). The payload arrives on stdin into a 0600 temp file that is removed on every path.
 */
export function remoteCommand(executor: string, command: string, timeoutSeconds: number): string {
  if (!(command in COMMAND_OWNERS)) throw new InputError(`unknown CloudStack command ${JSON.stringify(command)}`)
  const seconds = Math.trunc(timeoutSeconds)
  return [
    'umask 077',
    `f=$(mktemp /tmp/cs-extnet-payload-XXXXXX) || exit ${UPLOAD_FAILED}`,
    `trap 'rm -f "$f"' EXIT`,
    `cat > "$f" || exit ${UPLOAD_FAILED}`,
    // In the background with `wait`, so a signal from a management side that gave up interrupts the shell at
    // once, and a watchdog stops an executor that overruns the deadline (the bash wrapper ignores it), so
    // the payload never outlives the call.
    `CSNET_PEER_VERSION=${PROTOCOL_VERSION} '${executor}' '${command}' "$f" '${seconds}' </dev/null & pid=$!`,
    `(sleep ${seconds + DEADLINE_GRACE_SECONDS} & s=$!; trap 'kill $s; exit 0' TERM; wait $s && kill -TERM $pid) </dev/null >/dev/null 2>&1 & watchdog=$!`,
    `trap 'kill -TERM $pid 2>/dev/null; exit 143' HUP INT TERM`,
    'wait $pid',
    'rc=$?',
    'kill $watchdog 2>/dev/null',
    'exit $rc',
  ].join('; ')
}

/** The host that owns the network: what ensure-network-device stored, else `host`, else the first of `hosts`. */
export function targetHost(invocation: Invocation, settings: TransportSettings): string {
  const stored = typeof invocation.details.host === 'string' ? invocation.details.host : undefined
  const host = stored || invocation.physical.host?.trim() || settings.hosts[0]
  if (!host) throw new InputError('no target host available; run ensure-network-device first')
  return host
}

/**
 * Forward one command over one SSH connection: stream the payload, run the host-side executor, relay its
 * output verbatim. 0 when it succeeds, 3 when it ran and failed, 2 for SSH trouble; a host that does not
 * answer within the command's timeout (plus a grace for the host to report its own deadline) is given up.
 */
export async function forward(invocation: Invocation, settings: TransportSettings, paths: Paths, timeoutMs: number): Promise<number> {
  const host = targetHost(invocation, settings)
  const command = remoteCommand(remoteExecutor(paths), invocation.command, invocation.timeoutSeconds)
  const client = await connect({host, port: settings.port}, settings.credentials, settings.policy, Math.min(settings.connectTimeoutMs, timeoutMs))
  let timer: NodeJS.Timeout | undefined
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CsnetError(`host ${host} gave no result within ${Math.round(timeoutMs / 1000)}s`, ExitCode.busy)), timeoutMs)
    })
    const abort = new AbortController()
    const result = await Promise.race([execute(client, command, forwardedPayload(invocation), abort.signal), deadline]).catch((error: unknown) => {
      abort.abort()
      throw error
    })
    log().info({host, command: invocation.command, code: result.code, signal: result.signal}, 'forwarded')
    if (result.code === UPLOAD_FAILED) throw new SshError(`could not store the payload on ${host}`)
    if (result.code === 0) return ExitCode.ok
    return ExitCode.remote
  } finally {
    clearTimeout(timer)
    client.end()
  }
}
