import {log} from '../../../src/core/log.js'
import type {HostContext} from '../../../src/network/context.js'
import {implementedNetwork} from '../../../src/network/require.js'
import {reconcileRuleset, snapshotOf} from '../../../src/network/scope.js'
import {cutForbiddenFlows} from './flows.js'
import type {ApplyFwRulesPayload} from './payload.js'
import {normalise, publicIpsOf, readRuleSet, writeRuleSet} from './rules.js'

/**
 * apply-fw-rules: CloudStack sends the network's whole rule set each time. It is validated, persisted (which
 * also turns default-deny on for good), and the namespace's ruleset re-rendered and applied: the filter table
 * in one transaction, so there is never a moment without a firewall. If the apply fails, the previous rule
 * file is restored, so state keeps describing what is in force. Flows the new set forbids are then cut.
 */
export async function applyFirewall(ctx: HostContext, payload: ApplyFwRulesPayload): Promise<void> {
  const set = normalise(payload.fw_rules ?? {default_egress_allow: true, cidr: undefined, rules: []})
  const network = implementedNetwork(ctx, payload)
  if (!network) return
  const dir = ctx.store.networkDir(network.networkId)
  const previous = readRuleSet(dir)
  writeRuleSet(dir, set)
  try {
    await reconcileRuleset(ctx, network, network.namespace)
  } catch (error) {
    if (previous) writeRuleSet(dir, previous)
    throw error
  }
  const publicIps = publicIpsOf(snapshotOf(ctx, network, network.namespace), network)
  const cut = await cutForbiddenFlows(network.namespace, set, network.cidr, publicIps)
  log().info(
    {network: network.networkId, ingress: set.rules.filter((r) => r.type === 'ingress').length, egress: set.rules.filter((r) => r.type === 'egress').length, defaultEgressAllow: set.defaultEgressAllow, cut},
    'firewall applied',
  )
}
