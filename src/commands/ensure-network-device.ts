import * as z from 'zod/mini'

import {CloudStackCommand} from '../cli/cloudstack-command.js'
import {cloudstackFlags} from '../cli/flags.js'
import type {HostContext} from '../network/context.js'
import {decodeJsonText, id, optional} from '../protocol/fields.js'
import {ensureNetworkDevice} from '../transport/ensure.js'
import {transportSettings} from '../transport/settings.js'

const ensurePayload = z.looseObject({
  network_id: optional(id),
  vpc_id: optional(id),
  zone_id: optional(id),
  /** A string holding the stored JSON (CloudStack), or an object (operators). */
  current_details: optional(z.union([z.string(), z.record(z.string(), z.unknown())])),
})
type EnsurePayload = z.output<typeof ensurePayload>

function storedHost(value: unknown): string | undefined {
  const details = typeof value === 'string' ? decodeJsonText(value) : value
  const host = (details as {host?: unknown} | undefined)?.host
  return typeof host === 'string' && host !== '' ? host : undefined
}

export default class EnsureNetworkDevice extends CloudStackCommand<typeof ensurePayload> {
  static override summary = 'Choose the KVM host for a network or VPC and print it as CloudStack stores it.'
  static override description = `Keeps the current host (current_details / network-extension-details "host") while it is in the physical
network's "hosts" list and answers SSH (handshake, host key, authentication); otherwise probes from the
preferred host, CRC32(vpc_id or network_id) mod N (set "host.selection.hash" to "cksum" to place networks
as the bash proxy did), and the first reachable host in that order wins. Prints exactly one line:
{"host":"<ip>","namespace":"cs-net-<id>"} or {"host":"<ip>","namespace":"cs-vpc-<id>","vpc_id":"<id>"}.

Payload fields: network_id or vpc_id (one required), current_details.
Physical network details: hosts (CSV), host, port, username, sshkey, password, host.selection.hash,
ssh.host.fingerprints (SHA256:... list) or ssh.known_hosts (strict host keys; else pinned on first use).`
  static override examples = [
    '<%= config.bin %> ensure-network-device /tmp/cs-extnet-ensure-network-device-1.payload 60',
    `<%= config.bin %> ensure-network-device --network-id 42 --physical-network-extension-details '{"hosts":"192.0.2.10,192.0.2.11"}'`,
  ]
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'zone-id', 'current-details'])

  protected readonly schema = ensurePayload
  protected override readonly locks = false

  protected async execute(payload: EnsurePayload, ctx: HostContext): Promise<void> {
    const request: {networkId?: string; vpcId?: string; currentHost?: string} = {}
    if (payload.network_id) request.networkId = payload.network_id
    if (payload.vpc_id) request.vpcId = payload.vpc_id
    const current = storedHost(payload.current_details) ?? storedHost(ctx.invocation.details)
    if (current) request.currentHost = current
    const line = await ensureNetworkDevice(request, transportSettings(ctx.invocation.physical, ctx.paths))
    process.stdout.write(`${line}\n`)
  }
}
