import {execa} from 'execa'

import {ApplyError, oneLine} from '../core/errors.js'
import {log} from '../core/log.js'

export interface RunOptions {
  input?: string
  /** Exit codes that are not failures (e.g. conntrack's 1 = nothing deleted). */
  okExitCodes?: number[]
  timeoutMs?: number
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

let deadlineAt = Date.now() + 60_000

/** Every child process gets what is left of the command's deadline, so a stuck one cannot outlive it. */
export function setDefaultTimeout(ms: number): void {
  deadlineAt = Date.now() + Math.max(1, ms)
}

/** Run a program with an argument array (never a shell string); a failure becomes an ApplyError. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now()
  const result = await execa(file, args, {
    input: options.input,
    reject: false,
    timeout: options.timeoutMs ?? Math.max(1, deadlineAt - Date.now()),
    stripFinalNewline: false,
    env: {LC_ALL: 'C'},
  })
  const exitCode = result.exitCode ?? -1
  const ok = exitCode === 0 || (options.okExitCodes ?? []).includes(exitCode)
  log().debug({cmd: file, args, exitCode, ms: Date.now() - started}, 'exec')
  if (ok) return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode}
  const reason = result.timedOut
    ? 'timed out'
    : result.failed && exitCode === -1
      ? (result.shortMessage ?? 'could not start')
      : oneLine(String(result.stderr || result.stdout)).slice(0, 500) || `exit ${exitCode}`
  throw new ApplyError(`${file} ${args.slice(0, 6).join(' ')}${args.length > 6 ? ' ...' : ''}: ${reason}`)
}

/** Run inside a namespace through `ip netns exec` (for programs without a `-n` option). */
export function runInNamespace(namespace: string, file: string, args: readonly string[], options?: RunOptions) {
  return run('ip', ['netns', 'exec', namespace, file, ...args], options)
}
