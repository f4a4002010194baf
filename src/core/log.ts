import {accessSync, constants, mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import pino, {type Logger} from 'pino'

/** Keys whose values never reach the log, wherever they appear in a logged object. */
const SECRET_KEYS = ['password', 'sshkey', 'userdata', 'user_data', 'vm_data', 'restore_data', 'content', 'action-params']

let logger: Logger | undefined

const silent = pino({enabled: false})

/**
 * A synchronous JSON-lines file logger. A log that cannot be opened or written never fails a command and
 * never prints: CloudStack stores our output verbatim, so a warning would corrupt it. The management server
 * runs CloudStack unprivileged: there the reference proxy's /tmp location is the fallback.
 */
export function openLog(file: string, level = process.env.CSNET_LOG_LEVEL || 'info', fallback?: string): Logger {
  for (const candidate of [file, fallback]) {
    if (!candidate) continue
    try {
      mkdirSync(dirname(candidate), {recursive: true})
      accessSync(dirname(candidate), constants.W_OK)
      const destination = pino.destination({dest: candidate, sync: true, append: true, mkdir: true})
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
      return logger
    } catch {}
  }
  logger = silent
  return logger
}

export function log(): Logger {
  return logger ?? silent
}
