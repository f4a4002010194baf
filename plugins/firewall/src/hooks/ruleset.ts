import type {ChainContribution, RulesetHookOptions} from '../../../../src/ruleset/types.js'
import {firewallRules, readRuleSet} from '../rules.js'

/** The firewall's chains for every network in the namespace that has a rule set. */
export default async function ruleset(options: RulesetHookOptions): Promise<ChainContribution[]> {
  const {snapshot} = options
  return firewallRules(snapshot, (network) => {
    const dir = snapshot.networkDirs[network.networkId]
    return dir ? readRuleSet(dir) : undefined
  })
}
