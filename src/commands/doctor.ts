import {Command, Flags} from '@oclif/core'

import {checkHost, type Check} from '../doctor/checks.js'

export default class Doctor extends Command {
  static override summary = "Check this host's prerequisites for csnet and say what to install."
  static override description = `Looks for the programs csnet runs (ip, iptables-save/restore, flock, sysctl, conntrack, and the daemons plugins
use), that iptables uses one backend (legacy and nft rules must not be mixed), and that the kernel offers
network namespaces, veth, bridges and VLANs. Exits 1 when a required check fails.`
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json']
  static override enableJsonFlag = true
  static override flags = {
    quiet: Flags.boolean({summary: 'Print only failures.', default: false}),
  }

  async run(): Promise<{ok: boolean; checks: Check[]}> {
    const {flags} = await this.parse(Doctor)
    const checks = await checkHost()
    const ok = checks.every((check) => check.ok || !check.required)
    if (!this.jsonEnabled()) {
      for (const check of checks) {
        if (flags.quiet && check.ok) continue
        const mark = check.ok ? 'ok  ' : check.required ? 'FAIL' : 'warn'
        this.log(`${mark} ${check.name}: ${check.detail}${!check.ok && check.fix ? ` -> ${check.fix}` : ''}`)
      }
    }
    if (!ok) process.exitCode = 1
    return {ok, checks}
  }
}
