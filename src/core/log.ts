import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import pino, {type Logger} from 'pino'

/** Keys whose values never reach the log, wherever they appear in a logged object. */
const SECRET_KEYS = ['password', 'sshkey', 'userdata', 'user_data', 'vm_data', 'restore_data', 'content', 'action-params']

let logger: Logger | undefined

const silent = pino({enabled: false})

/**
 * A synchronous JSON-lines file logger. A log that cannot be opened or written never fails a command and
 * never prints: CloudStack stores our output verbatim, so a warning would corrupt it.
 */
export function openLog(file: string, level = process.env.CSNET_LOG_LEVEL || 'info'): Logger {
  try {
    mkdirSync(dirname(file), {recursive: true})
    const destination = pino.destination({dest: file, sync: true, append: true, mkdir: true})
    destination.on('error', () => {})
    logger = pino(
      {
        level,
        base: {pid: process.pid},
        timestamp: pino.stdTimeFunctions.isoTime,
        redact: {paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[secret]'},
      },
      destination,
    )
  } catch {
    logger = silent
  }
  return logger
}

export function log(): Logger {
  return logger ?? silent
}
