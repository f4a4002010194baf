import {execa} from 'execa'
import {existsSync} from 'node:fs'

import {log} from '../../../src/core/log.js'

const ARPING = ['/usr/sbin/arping', '/usr/bin/arping', '/sbin/arping', '/bin/arping'].find((path) => existsSync(path))

/**
 * Announce a public IP so upstream routers update their ARP caches (gratuitous ARP), when arping exists.
 * Runs in the background: the command does not wait the second arping takes. Both arping flavours work:
 * iputils (`-U -I dev`) and Thomas Habets' (`-U -i dev -S ip`).
 */
export async function announce(namespace: string, device: string, ip: string): Promise<void> {
  if (!ARPING) {
    log().info({ip}, 'arping not installed; no gratuitous ARP sent')
    return
  }
  const help = await execa(ARPING, ['--help'], {reject: false, all: true})
  const habets = /Habets/i.test(String(help.all))
  const args = habets ? ['-q', '-U', '-c', '2', '-i', device, '-S', ip, ip] : ['-q', '-U', '-c', '2', '-I', device, ip]
  const child = execa('ip', ['netns', 'exec', namespace, ARPING, ...args], {detached: true, cleanup: false, stdio: 'ignore', reject: false})
  child.unref()
  log().debug({ip, device, flavour: habets ? 'habets' : 'iputils'}, 'gratuitous ARP sent')
}
