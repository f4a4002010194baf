import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addVm, csnet, payloadFile, ping, resetHost, ROOT, sandboxSkip, sh, STATE_DIR, trySh} from './helpers.js'

describe('dual-stack network', {skip: sandboxSkip}, () => {
  const network = {
    network_id: '61', vlan: '610', gateway: '10.61.0.1', cidr: '10.61.0.0/24', guest_type: 'isolated',
    network_ip6_gateway: 'fd00:61::1', network_ip6_cidr: 'fd00:61::/64', dns6: 'fd00:61::53',
  }
  before(() => {
    resetHost()
    addVm('610', 'vm61', '10.61.0.10/24', '10.61.0.1')
    sh('ip', '-n', 'vm61', '-6', 'addr', 'add', 'fd00:61::10/64', 'dev', 'vm0', 'nodad')
  })
  after(resetHost)

  it('puts the IPv6 gateway on the guest veth and records the IPv6 state files', () => {
    const run = csnet(['implement-network', payloadFile(network), '60'])
    assert.equal(run.status, 0, run.stderr)
    const addresses = JSON.parse(sh('ip', '-n', 'cs-net-61', '-json', 'addr', 'show', 'vn-610-61'))[0].addr_info
    assert.ok(addresses.some((a: {local: string; prefixlen: number}) => a.local === 'fd00:61::1' && a.prefixlen === 64))
    assert.equal(readFileSync(join(STATE_DIR, 'network-61', 'ip6-gateway'), 'utf8'), 'fd00:61::1\n')
    assert.equal(readFileSync(join(STATE_DIR, 'network-61', 'ip6-cidr'), 'utf8'), 'fd00:61::/64\n')
    assert.equal(readFileSync(join(STATE_DIR, 'network-61', 'dns6'), 'utf8'), 'fd00:61::53\n')
    assert.equal(sh('ip', 'netns', 'exec', 'cs-net-61', 'sysctl', '-n', 'net.ipv6.conf.all.forwarding').trim(), '1')
  })

  it('the VM reaches its IPv6 gateway', () => {
    assert.equal(trySh('ip', 'netns', 'exec', 'vm61', 'ping', '-6', '-c', '1', '-W', '2', 'fd00:61::1').status, 0)
  })

  it('a network without IPv6 has IPv6 off on its guest veth', () => {
    const plain = {network_id: '62', vlan: '620', gateway: '10.62.0.1', cidr: '10.62.0.0/24'}
    addVm('620', 'vm62', '10.62.0.10/24', '10.62.0.1')
    assert.equal(csnet(['implement-network', payloadFile(plain), '60']).status, 0)
    assert.equal(sh('ip', 'netns', 'exec', 'cs-net-62', 'sysctl', '-n', 'net.ipv6.conf.vn-620-62.disable_ipv6').trim(), '1')
  })
})

describe('VPC tiers share one namespace', {skip: sandboxSkip}, () => {
  const tier = (id: string, vlan: string, third: string) => ({
    network_id: id, vpc_id: '5', vlan, gateway: `10.5.${third}.1`, cidr: `10.5.${third}.0/24`, guest_type: 'isolated',
  })
  before(() => {
    resetHost()
    addVm('701', 'vmA', '10.5.1.10/24', '10.5.1.1')
    addVm('702', 'vmB', '10.5.2.10/24', '10.5.2.1')
  })
  after(resetHost)

  it('two tiers live in cs-vpc-5 with veths named after the VPC', () => {
    assert.equal(csnet(['implement-network', payloadFile(tier('71', '701', '1')), '60']).status, 0)
    assert.equal(csnet(['implement-network', payloadFile(tier('72', '702', '2')), '60']).status, 0)
    assert.ok(existsSync('/run/netns/cs-vpc-5'))
    assert.equal(trySh('ip', 'link', 'show', 'vh-701-5').status, 0)
    assert.equal(trySh('ip', 'link', 'show', 'vh-702-5').status, 0)
    assert.ok(existsSync(join(STATE_DIR, 'vpc-5', 'tiers', '71')))
    assert.equal(readFileSync(join(STATE_DIR, 'vpc-5', 'namespace'), 'utf8'), 'cs-vpc-5\n')
    assert.ok(ping('vmA', '10.5.1.1'))
    assert.ok(ping('vmB', '10.5.2.1'))
  })

  it('destroying one tier keeps the VPC namespace, the other tier and its chains; the tier\'s chains go', () => {
    assert.equal(csnet(['destroy-network', payloadFile(tier('71', '701', '1')), '60']).status, 0)
    assert.ok(existsSync('/run/netns/cs-vpc-5'))
    assert.notEqual(trySh('ip', 'link', 'show', 'vh-701-5').status, 0)
    assert.ok(ping('vmB', '10.5.2.1'))
    const save = sh('ip', 'netns', 'exec', 'cs-vpc-5', 'iptables-save')
    assert.doesNotMatch(save, /CS_EXTNET_FWD_71|CS_EXTNET_71_/)
    assert.match(save, /CS_EXTNET_FWD_72/)
    assert.ok(!existsSync(join(STATE_DIR, 'vpc-5', 'tiers', '71')))
  })
})

describe('operability', {skip: sandboxSkip}, () => {
  before(resetHost)
  after(resetHost)

  it('doctor finds every required prerequisite here', () => {
    const run = csnet(['doctor'])
    assert.equal(run.status, 0, run.stdout)
    assert.match(run.stdout, /^ok {3}iptables-restore: /m)
    assert.match(run.stdout, /^ok {3}iptables backend: iptables v1\.8/m)
    const json = JSON.parse(csnet(['doctor', '--json']).stdout)
    assert.equal(json.ok, true)
  })

  it('doctor says what to install when a program is missing', () => {
    const run = csnet(['doctor', '--quiet'], {PATH: '/nonexistent'})
    assert.equal(run.status, 1)
    assert.match(run.stdout, /^FAIL flock: not found .* -> apt-get install util-linux$/m)
  })

  it('a log that cannot be written never fails a command or prints', () => {
    mkdirSync('/var/log/cloudstack/extensions', {recursive: true})
    writeFileSync('/var/log/cloudstack/extensions/network-namespace', 'not a directory')
    try {
      const run = csnet(['destroy-network', payloadFile({network_id: '999'}), '60'])
      assert.equal(run.status, 0, run.stderr)
      assert.equal(run.stdout + run.stderr, '')
    } finally {
      trySh('rm', '-f', '/var/log/cloudstack/extensions/network-namespace')
    }
  })

  it('the CloudStack entry scripts run csnet under the extension named by their directory', () => {
    const dir = '/etc/netns/ext-test/my-extnet'
    mkdirSync(dir, {recursive: true})
    const wrapper = join(dir, 'my-extnet-wrapper.sh')
    writeFileSync(wrapper, readFileSync(new URL('../../../bin/network-namespace-wrapper.sh', import.meta.url)))
    chmodSync(wrapper, 0o755)
    const run = trySh('env', `CSNET_BIN=${join(ROOT, 'bin', 'run.js')}`, wrapper, 'destroy-network', payloadFile({network_id: '998'}), '60')
    assert.equal(run.status, 0, run.stderr)
    assert.ok(existsSync('/var/lib/cloudstack/my-extnet/lock-network-998'))
    assert.ok(existsSync('/var/log/cloudstack/extensions/my-extnet/my-extnet.log'))
  })
})
