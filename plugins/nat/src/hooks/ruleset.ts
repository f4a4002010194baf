import type {ChainContribution, RulesetHookOptions} from '../../../../src/ruleset/types.js'
import {natRules} from '../rules.js'
import {NatState} from '../state.js'

/** The nat plugin's chains, rendered from the NAT state of the namespace's scope. */
export default async function ruleset(options: RulesetHookOptions): Promise<ChainContribution[]> {
  const {snapshot} = options
  const state = new NatState(snapshot.scopeDir, snapshot.scope.kind === 'network' ? snapshot.scope.id : '')
  return natRules(snapshot, {ips: state.ips(), staticNats: state.staticNats(), portForwards: state.portForwards()})
}
