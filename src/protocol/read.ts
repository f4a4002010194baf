import {readFileSync, statSync} from 'node:fs'

import {InputError} from '../core/errors.js'
import {decodeJsonText} from './fields.js'
import {CLOUDSTACK_FLAGS, DETAIL_FLAGS} from './catalogue.js'
import {DEFAULT_TIMEOUT_SECONDS, type Invocation} from './invocation.js'

const MiB = 1024 * 1024

export function payloadLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.CSNET_MAX_PAYLOAD_BYTES)
  return Number.isFinite(configured) && configured > 0 ? configured : 64 * MiB
}

/** Read a caller file: bounded size, strict UTF-8 (Gson writes UTF-8; anything else is corrupt or hostile). */
export function readBoundedText(path: string, what: string, limit = payloadLimitBytes()): string {
  let size: number
  try {
    const stat = statSync(path)
    if (!stat.isFile()) throw new InputError(`${what} ${path} is not a regular file`)
    size = stat.size
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${what} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
  if (size > limit) throw new InputError(`${what} is ${size} bytes, over the ${limit}-byte limit (CSNET_MAX_PAYLOAD_BYTES)`)
  const bytes = readFileSync(path)
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    throw new InputError(`${what} is not valid UTF-8`)
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InputError(`${what} is not valid JSON: ${(error as Error).message}`)
  }
  if (!isObject(value)) throw new InputError(`${what} must be a JSON object`)
  return value
}

/** Detail blobs: objects in generation 2, JSON text in generation 1 and the oldest env-var generation. */
function detailsFrom(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {}
  if (isObject(value)) return value
  if (typeof value === 'string') return parseJsonObject(value, what)
  throw new InputError(`${what} must be a JSON object`)
}

function physicalFrom(value: unknown): Record<string, string> {
  const details = detailsFrom(value, DETAIL_FLAGS.physical)
  const flat: Record<string, string> = {}
  for (const [key, entry] of Object.entries(details)) {
    if (entry === null || entry === undefined) continue
    flat[key] = typeof entry === 'string' ? entry : JSON.stringify(entry)
  }
  return flat
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_SECONDS
  const seconds = Number(raw)
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) {
    throw new InputError(`timeout "${raw}" must be a whole number of seconds between 1 and 86400`)
  }
  return seconds
}

/**
 * Generation 2: `<command> <payload-file> [timeout]`. The envelope carries the two detail blobs and
 * `payload`; custom-action is flat (its fields sit at the top level).
 */
export function readPayloadFile(command: string, file: string, timeout: string | undefined, env = process.env): Invocation {
  const text = readBoundedText(file, 'payload file', payloadLimitBytes(env))
  const envelope = parseJsonObject(text, 'payload file')
  const physicalRaw = envelope[DETAIL_FLAGS.physical] ?? envelope.physical_network_extension_details
  const detailsRaw = envelope[DETAIL_FLAGS.network] ?? envelope.network_extension_details
  let payload: Record<string, unknown>
  if (isObject(envelope.payload)) {
    payload = envelope.payload
  } else if (envelope.payload === undefined && command === 'custom-action') {
    payload = {...envelope}
    for (const key of [DETAIL_FLAGS.physical, DETAIL_FLAGS.network, 'physical_network_extension_details', 'network_extension_details']) {
      delete payload[key]
    }
  } else {
    throw new InputError('payload file has no "payload" object')
  }
  return {
    command,
    generation: 2,
    physical: physicalFrom(physicalRaw ?? env.CS_PHYSICAL_NETWORK_EXTENSION_DETAILS),
    details: detailsFrom(detailsRaw ?? env.CS_NETWORK_EXTENSION_DETAILS, DETAIL_FLAGS.network),
    payload,
    timeoutSeconds: parseTimeout(timeout),
  }
}

/**
 * Generation 1 and operators: `--network-id 42 --vlan 100 ...`. `--*-file` flags name files holding base64 of
 * JSON; they are read here so the rest of csnet sees the same payload as generation 2.
 */
export function readFlags(
  command: string,
  flags: Record<string, unknown>,
  timeout: string | undefined,
  env = process.env,
): Invocation {
  const payload: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(CLOUDSTACK_FLAGS)) {
    const value = flags[name]
    if (typeof value !== 'string') continue
    if (spec.file) {
      const text = readBoundedText(value, `--${name}`, payloadLimitBytes(env))
      const decoded = decodeJsonText(text)
      if (decoded === undefined) throw new InputError(`--${name}: file does not hold JSON or base64-encoded JSON`)
      payload[spec.key] = decoded
    } else if (payload[spec.key] === undefined) {
      payload[spec.key] = value
    }
  }
  return {
    command,
    generation: 1,
    physical: physicalFrom(flags[DETAIL_FLAGS.physical] ?? env.CS_PHYSICAL_NETWORK_EXTENSION_DETAILS),
    details: detailsFrom(flags[DETAIL_FLAGS.network] ?? env.CS_NETWORK_EXTENSION_DETAILS, `--${DETAIL_FLAGS.network}`),
    payload,
    timeoutSeconds: parseTimeout(timeout),
  }
}
