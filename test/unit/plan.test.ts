import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {ObservedLink} from '../../src/links/observe.js'
import {isEmptyPlan, planAttachment, planDetach, planSharedDeviceRemoval, PlanError, type Attachment, type NamespaceView} from '../../src/links/plan.js'

const want: Attachment = {
  namespace: 'cs-net-42', parentDevice: 'eth1', vlanId: 100, vlanDevice: 'eth1.100', bridge: 'breth1-100',
  vethHost: 'vh-100-42', vethNs: 'vn-100-42', mac: '02:00:00:00:00:2a', addresses: ['10.1.1.1/24', 'fd00::1/64'],
}

function link(name: string, extra: Partial<ObservedLink> = {}): [string, ObservedLink] {
  return [name, {name, up: true, mtu: 1500, peerElsewhere: false, ...extra}]
}

const converged = {
  host: {links: new Map([
    link('eth1', {mtu: 9000}), link('eth1.100', {kind: 'vlan', master: 'breth1-100', mtu: 9000}),
    link('breth1-100', {kind: 'bridge', mtu: 9000}), link('vh-100-42', {kind: 'veth', master: 'breth1-100', peerElsewhere: true, mtu: 9000}),
  ]), routes: []},
  ns: {
    links: new Map([link('lo'), link('vn-100-42', {kind: 'veth', peerElsewhere: true, mtu: 9000, mac: '02:00:00:00:00:2a'})]),
    addresses: [{device: 'vn-100-42', family: 'inet', cidr: '10.1.1.1/24'}, {device: 'vn-100-42', family: 'inet6', cidr: 'fd00::1/64'}, {device: 'vn-100-42', family: 'inet6', cidr: 'fe80::1/64'}],
    routes: [],
  } satisfies NamespaceView,
}

const noNamespace: NamespaceView = {links: new Map(), addresses: [], routes: []}

describe('guest link planning', () => {
  it('plans nothing for a converged network', () => {
    assert.ok(isEmptyPlan(planAttachment(want, converged.host, converged.ns)))
  })

  it('builds everything on a bare host, veths taking the trunk MTU', () => {
    const plan = planAttachment(want, {links: new Map([link('eth1', {mtu: 9000})]), routes: []}, noNamespace)
    assert.deepEqual(plan.creates, ['eth1.100', 'breth1-100'])
    assert.deepEqual(plan.host.map((c) => c.join(' ')), [
      'link add link eth1 name eth1.100 type vlan id 100',
      'link set eth1.100 up',
      'link add name breth1-100 mtu 9000 type bridge',
      'link set breth1-100 up',
      'link set eth1.100 master breth1-100',
      'link add vh-100-42 mtu 9000 type veth peer name vn-100-42 address 02:00:00:00:00:2a mtu 9000 netns cs-net-42',
      'link set vh-100-42 master breth1-100',
      'link set vh-100-42 up',
    ])
    assert.deepEqual(plan.namespace.map((c) => c.join(' ')), [
      'link set lo up', 'link set vn-100-42 up', 'addr add 10.1.1.1/24 dev vn-100-42', 'addr add fd00::1/64 dev vn-100-42 nodad',
    ])
  })

  it('uses an existing VLAN device (operator-made or a CI stand-in) as it is', () => {
    const plan = planAttachment(want, {links: new Map([link('eth1.100', {kind: 'veth', mtu: 1450})]), routes: []}, noNamespace)
    assert.deepEqual(plan.creates, ['breth1-100'])
    assert.ok(!plan.host.some((c) => c.join(' ').includes('type vlan')))
    assert.ok(plan.host.some((c) => c.join(' ') === 'link add vh-100-42 mtu 1450 type veth peer name vn-100-42 address 02:00:00:00:00:2a mtu 1450 netns cs-net-42'))
  })

  it('finishes a half-made veth pair instead of failing', () => {
    const host = {links: new Map([...converged.host.links, link('vh-100-42', {kind: 'veth', master: 'breth1-100', mtu: 9000}), link('vn-100-42', {kind: 'veth', mtu: 9000})]), routes: []}
    const ns = {...converged.ns, links: new Map([link('lo')]), addresses: []}
    const plan = planAttachment(want, host, ns)
    assert.deepEqual(plan.host.map((c) => c.join(' ')), ['link set vn-100-42 netns cs-net-42'])
    assert.ok(plan.namespace.some((c) => c.join(' ') === 'link set vn-100-42 address 02:00:00:00:00:2a'))
  })

  it('corrects addresses: adds missing ones, removes stale ones, keeps link-local', () => {
    const ns = {...converged.ns, addresses: [...converged.ns.addresses, {device: 'vn-100-42', family: 'inet' as const, cidr: '10.1.1.254/24'}]}
    const plan = planAttachment({...want, addresses: ['10.1.1.1/24']}, converged.host, ns)
    assert.deepEqual(plan.namespace.map((c) => c.join(' ')), ['addr del fd00::1/64 dev vn-100-42', 'addr del 10.1.1.254/24 dev vn-100-42'])
  })

  it('refuses a missing trunk NIC and a bridge name held by another kind of device', () => {
    assert.throws(() => planAttachment(want, {links: new Map(), routes: []}, noNamespace), PlanError)
    assert.throws(() => planAttachment(want, {links: new Map([link('eth1'), link('breth1-100', {kind: 'veth'})]), routes: []}, noNamespace), /not a bridge/)
  })

  it('keeps exactly the wanted host routes through the host end', () => {
    const host = {...converged.host, routes: [{dst: '203.0.113.5', dev: 'vh-100-42'}, {dst: '203.0.113.50', dev: 'vh-100-42'}, {dst: '203.0.113.6', dev: 'other'}]}
    const plan = planAttachment({...want, hostRoutes: ['203.0.113.5/32', '203.0.113.6/32']}, host, converged.ns)
    assert.deepEqual(plan.host.map((c) => c.join(' ')), ['route replace 203.0.113.6/32 dev vh-100-42', 'route del 203.0.113.50/32 dev vh-100-42'])
  })

  it('detaching removes only the veth; shared devices go only when named', () => {
    assert.deepEqual(planDetach(want, converged.host).host.map((c) => c.join(' ')), ['link del vh-100-42'])
    assert.deepEqual(planDetach(want, {links: new Map(), routes: []}).host, [])
    assert.deepEqual(planSharedDeviceRemoval(['breth1-100', 'eth1.100', 'gone0'], converged.host).host.map((c) => c.join(' ')), ['link del breth1-100', 'link del eth1.100'])
  })
})
