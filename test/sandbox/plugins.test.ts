import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addVm, csnet, payloadFile, resetHost, ROOT, sandboxSkip, sh} from './helpers.js'

const network = {network_id: '55', vlan: '300', gateway: '10.5.5.1', cidr: '10.5.5.0/24', guest_type: 'isolated'}
const dataDir = mkdtempSync(join(tmpdir(), 'csnet-data-'))
const env = {CSNET_DATA_DIR: dataDir}
const save = () => sh('ip', 'netns', 'exec', 'cs-net-55', 'iptables-save').split('\n').filter((l) => !l.startsWith('#')).join('\n')

describe('plugins contribute commands and chains', {skip: sandboxSkip}, () => {
  before(() => {
    resetHost()
    addVm('300', 'vm5', '10.5.5.10/24', '10.5.5.1')
    const link = csnet(['plugins', 'link', join(ROOT, 'test', 'fixtures', 'plugin-fixture'), '--no-install'], env)
    assert.equal(link.status, 0, link.stderr)
  })
  after(() => {
    csnet(['plugins', 'unlink', 'csnet-plugin-fixture'], env)
    resetHost()
  })

  it('a linked plugin\'s command is discoverable and runs', () => {
    const help = csnet(['--help'], env)
    assert.match(help.stdout, /fixture-hello/)
    const run = csnet(['fixture-hello', '--name', 'operator'], env)
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, 'fixture says hello to operator\n')
  })

  it('its chain lands in the namespace ruleset, hooked through the core dispatcher', () => {
    const run = csnet(['implement-network', payloadFile(network), '60'], env)
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout + run.stderr, '', 'no oclif warnings about linked plugins')
    const rules = save()
    assert.match(rules, /^-A INPUT -j CS_EXTNET_INPUT$/m)
    assert.match(rules, /^-A CS_EXTNET_INPUT -p tcp -m tcp --dport 7 -j CS_EXTNET_FIXTURE$/m)
    assert.match(rules, /^-A CS_EXTNET_FIXTURE -i vn-300-55 -m comment --comment "fixture echo" -j ACCEPT$/m)
  })

  for (const mode of ['throw', 'malformed']) {
    it(`a contributor that ${mode === 'throw' ? 'throws' : 'returns a malformed contribution'} fails the command and leaves the rules in force`, () => {
      const before = save()
      const run = csnet(['implement-network', payloadFile(network), '60'], {...env, CSNET_FIXTURE_MODE: mode})
      assert.equal(run.status, 5)
      assert.match(run.stderr, /plugin csnet-plugin-fixture/)
      assert.equal(save(), before)
    })
  }

  it('without the plugin its chain disappears on the next apply', () => {
    assert.equal(csnet(['plugins', 'unlink', 'csnet-plugin-fixture'], env).status, 0)
    assert.equal(csnet(['implement-network', payloadFile(network), '60'], env).status, 0)
    const rules = save()
    assert.doesNotMatch(rules, /CS_EXTNET_FIXTURE|CS_EXTNET_INPUT/)
    assert.match(rules, /CS_EXTNET_FWD_55/)
  })
})

describe('installing a plugin package', {skip: sandboxSkip}, () => {
  it('csnet plugins install file:<tgz> works offline into a data dir outside the CLI, and its command runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csnet-pack-'))
    sh('npm', 'pack', '--silent', '--pack-destination', dir, join(ROOT, 'test', 'fixtures', 'plugin-fixture'))
    const data = {CSNET_DATA_DIR: join(dir, 'data'), npm_config_registry: 'http://127.0.0.1:9'}
    const install = csnet(['plugins', 'install', `file:${join(dir, 'csnet-plugin-fixture-0.1.0.tgz')}`], data)
    assert.equal(install.status, 0, install.stderr)
    const run = csnet(['fixture-hello', '--name', 'tgz'], data)
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, 'fixture says hello to tgz\n')
    assert.equal(run.stderr, '')
  })
})

describe('commands csnet does not have', () => {
  it('a CloudStack command whose plugin is missing names the plugin', () => {
    const run = csnet(['apply-lb-rules', '/tmp/none.payload', '60'])
    assert.equal(run.status, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'csnet: command "apply-lb-rules" is provided by @csnet/plugin-lb-haproxy, which is not installed on this host (see csnet plugins)\n')
  })

  it('an unknown command lists the available ones', () => {
    const run = csnet(['frobnicate'])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^csnet: unknown command "frobnicate"; available: .*implement-network/)
  })

  it('every command documents itself with an example', () => {
    for (const command of ['implement-network', 'shutdown-network', 'destroy-network', 'doctor']) {
      const run = csnet([command, '--help'])
      assert.equal(run.status, 0)
      assert.match(run.stdout, /EXAMPLES/, command)
    }
    assert.match(csnet(['implement-network', '--help']).stdout, /Payload fields: network_id \(required\)/)
  })
})
