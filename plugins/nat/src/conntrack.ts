import {log} from '../../../src/core/log.js'
import {runInNamespace} from '../../../src/exec/run.js'
import type {PortRange} from '../../../src/protocol/fields.js'

/** `conntrack -D` with a filter; exit 1 means nothing matched, which is success. */
async function drop(namespace: string, filter: string[]): Promise<void> {
  try {
    await runInNamespace(namespace, 'conntrack', ['-D', ...filter], {okExitCodes: [1]})
  } catch (error) {
    log().warn({namespace, filter, err: (error as Error).message}, 'conntrack flush failed; established flows may survive until they time out')
  }
}

/**
 * Cut the flows a removed NAT mapping carried, so they stop at once instead of living on in conntrack:
 * flows that came in to the public IP, and flows that left as it (their replies come back to it).
 */
export async function dropPublicIpFlows(namespace: string, publicIp: string): Promise<void> {
  await drop(namespace, ['--orig-dst', publicIp])
  await drop(namespace, ['--reply-dst', publicIp])
}

/** Cut the flows of one port forward: exact original destination, protocol and port(s). */
export async function dropForwardFlows(namespace: string, protocol: 'tcp' | 'udp', publicIp: string, ports: PortRange): Promise<void> {
  if (ports.start === ports.end) {
    await drop(namespace, ['-p', protocol, '--orig-dst', publicIp, '--orig-port-dst', String(ports.start)])
    return
  }
  // conntrack filters take one port: list the IP's flows and delete those in the range by exact tuple.
  let listing = ''
  try {
    listing = (await runInNamespace(namespace, 'conntrack', ['-L', '-p', protocol, '--orig-dst', publicIp], {okExitCodes: [1]})).stdout
  } catch (error) {
    log().warn({namespace, err: (error as Error).message}, 'conntrack listing failed')
    return
  }
  for (const line of listing.split('\n')) {
    const tuple = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(line)
    if (!tuple) continue
    const dport = Number(tuple[4])
    if (dport < ports.start || dport > ports.end) continue
    await drop(namespace, ['-p', protocol, '--orig-src', tuple[1]!, '--orig-dst', tuple[2]!, '--orig-port-src', tuple[3]!, '--orig-port-dst', tuple[4]!])
  }
}
