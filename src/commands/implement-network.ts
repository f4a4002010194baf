import {CloudStackCommand} from '../cli/cloudstack-command.js'
import {cloudstackFlags} from '../cli/flags.js'
import type {HostContext} from '../network/context.js'
import {implementNetwork} from '../network/implement.js'
import {networkPayload, type NetworkPayload} from '../protocol/network-payload.js'

export default class ImplementNetwork extends CloudStackCommand<typeof networkPayload> {
  static override summary = 'Build a guest network: namespace, VLAN bridge, veth pair, gateway address, forwarding and chains.'
  static override description = `Creates (or repairs) the network's namespace cs-net-<network_id> (cs-vpc-<vpc_id> for a VPC tier), the host
VLAN sub-interface <eth>.<vlan> and bridge br<eth>-<vlan> (an existing device of that name is used as it is),
the veth pair vh-<vlan>-<id>/vn-<vlan>-<id> carrying extension_ip (default: gateway) and the IPv6 gateway,
then renders the namespace's iptables ruleset. Running it again changes nothing.

Payload fields: network_id (required), vlan (required the first time), gateway, cidr, extension_ip, vpc_id,
guest_type (isolated gets forwarding and NAT chains; default isolated), network_ip6_gateway,
network_ip6_cidr, dns6.`
  static override examples = [
    '<%= config.bin %> implement-network /tmp/cs-extnet-implement-network-123.payload 60',
    '<%= config.bin %> implement-network --network-id 42 --vlan 100 --gateway 10.1.1.1 --cidr 10.1.1.0/24',
  ]
  static override flags = cloudstackFlags([
    'network-id', 'vlan', 'gateway', 'cidr', 'extension-ip', 'vpc-id', 'guest-type',
    'network-ip6-gateway', 'network-ip6-cidr', 'dns6',
  ])

  protected readonly schema = networkPayload

  protected async execute(payload: NetworkPayload, ctx: HostContext): Promise<void> {
    await implementNetwork(ctx, payload)
  }
}
