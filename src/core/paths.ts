import {join} from 'node:path'

export const DEFAULT_EXTENSION = 'network-namespace'

/** Extension names become directory and file names: keep them to a safe alphabet. */
const EXTENSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export interface Paths {
  extension: string
  stateDir: string
  logDir: string
  logFile: string
  netnsConfDir: string
}

/**
 * Where csnet keeps things. Defaults are the reference wrapper's, so a host it managed can be taken over in
 * place; every path can be moved by environment for tests and unusual layouts.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const requested = env.CSNET_EXTENSION?.trim() || DEFAULT_EXTENSION
  const extension = EXTENSION_NAME.test(requested) ? requested : DEFAULT_EXTENSION
  const stateDir = env.CSNET_STATE_DIR || join('/var/lib/cloudstack', extension)
  const logDir = env.CSNET_LOG_DIR || join('/var/log/cloudstack/extensions', extension)
  return {
    extension,
    stateDir,
    logDir,
    logFile: join(logDir, `${extension}.log`),
    netnsConfDir: env.CSNET_NETNS_ETC_DIR || '/etc/netns',
  }
}
