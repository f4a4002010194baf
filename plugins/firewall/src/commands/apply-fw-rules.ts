import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {applyFwRulesPayload, type ApplyFwRulesPayload} from '../payload.js'
import {applyFirewall} from '../service.js'

export default class ApplyFwRules extends CloudStackCommand<typeof applyFwRulesPayload> {
  static override summary = "Replace a network's firewall: ingress per public IP and egress policy, atomically."
  static override description = `The first apply turns default-deny on for the network's public IPs (source NAT, static NAT, port-forward and
load-balancer IPs alike) and it stays on, persisted, across re-implements. Rules match the public IP and
public port CloudStack names. Flows the new rules forbid are cut.

Payload fields: network_id (required), fw_rules (object, JSON text or base64 JSON):
{"default_egress_allow": true|false|"true"|"false", "rules": [{"type": "ingress"|"egress", "protocol":
"tcp|udp|icmp|all", "portStart", "portEnd", "icmpType", "icmpCode" (-1 = any), "publicIp" (ingress),
"sourceCidrs": [...], "destCidrs": [...] (egress)}]}.`
  static override examples = [
    '<%= config.bin %> apply-fw-rules /tmp/cs-extnet-apply-fw-rules-123.payload 60',
    '<%= config.bin %> apply-fw-rules --network-id 42 --fw-rules-file /tmp/cs-extnet-fw-rules-XXXX',
  ]
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'gateway', 'cidr', 'network-state', 'fw-rules', 'fw-rules-file'])

  protected readonly schema = applyFwRulesPayload

  protected async execute(payload: ApplyFwRulesPayload, ctx: HostContext): Promise<void> {
    await applyFirewall(ctx, payload)
  }
}
