import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import * as z from 'zod/mini'

import {InputError} from '../../src/core/errors.js'
import {bool, jsonValue, mac, portRange, protocol, vlan} from '../../src/protocol/fields.js'
import {networkPayload} from '../../src/protocol/network-payload.js'
import {readFlags, readPayloadFile} from '../../src/protocol/read.js'
import {validatePayload} from '../../src/protocol/validate.js'

const dir = mkdtempSync(join(tmpdir(), 'csnet-protocol-'))
let counter = 0
function file(content: string | Buffer): string {
  const path = join(dir, `payload-${counter++}`)
  writeFileSync(path, content)
  return path
}

const physical = {hosts: '192.0.2.10', 'guest.network.device': 'eth1'}

describe('generation 2 payload files', () => {
  it('reads the envelope into details and payload', () => {
    const path = file(JSON.stringify({
      'physical-network-extension-details': physical,
      'network-extension-details': {host: '192.0.2.10', namespace: 'cs-net-42'},
      payload: {network_id: '42', vlan: 'vlan://100', gateway: '10.1.1.1', cidr: '10.1.1.0/24'},
    }))
    const invocation = readPayloadFile('implement-network', path, '45')
    assert.equal(invocation.generation, 2)
    assert.equal(invocation.timeoutSeconds, 45)
    assert.deepEqual(invocation.physical, physical)
    assert.equal(invocation.details.host, '192.0.2.10')
    const payload = validatePayload(networkPayload, invocation.payload)
    assert.equal(payload.vlan, '100')
  })

  it('reads custom-action flat envelopes and underscore detail keys', () => {
    const path = file(JSON.stringify({physical_network_extension_details: physical, network_id: 42, action: 'dump-config', 'action-params': {}}))
    const invocation = readPayloadFile('custom-action', path, undefined)
    assert.equal(invocation.payload.network_id, 42)
    assert.equal(invocation.payload.action, 'dump-config')
    assert.equal(invocation.physical.hosts, '192.0.2.10')
    assert.equal(invocation.timeoutSeconds, 60)
  })

  it('decodes Gson HTML escaping through a real JSON parser', () => {
    const path = file('{"payload":{"network_id":"42","hostname":"a\\u003cb"}}')
    assert.equal(readPayloadFile('x', path, undefined).payload.hostname, 'a<b')
  })

  for (const [name, content, pattern] of [
    ['malformed JSON', '{"payload": {', /not valid JSON/],
    ['a non-object', '[1,2]', /must be a JSON object/],
    ['a missing payload', '{"physical-network-extension-details": {}}', /no "payload" object/],
    ['non-UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
  ] as const) {
    it(`refuses ${name} with one clear line`, () => {
      assert.throws(() => readPayloadFile('implement-network', file(content), undefined), (error: Error) => {
        assert.ok(error instanceof InputError)
        assert.match(error.message, pattern)
        assert.ok(!error.message.includes('\n'))
        return true
      })
    })
  }

  it('refuses payloads over the configured limit before reading them', () => {
    const path = file(JSON.stringify({payload: {network_id: '42', pad: 'x'.repeat(4096)}}))
    assert.throws(() => readPayloadFile('implement-network', path, undefined, {CSNET_MAX_PAYLOAD_BYTES: '1024'}), /over the 1024-byte limit/)
  })

  it('refuses a bad timeout argument', () => {
    assert.throws(() => readPayloadFile('x', file('{"payload":{}}'), 'soon'), /timeout "soon"/)
  })
})

describe('generation 1 flags and operators', () => {
  it('produce the same typed payload as generation 2', () => {
    const fromFlags = readFlags('implement-network', {
      'network-id': '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24',
      'physical-network-extension-details': JSON.stringify(physical), 'network-extension-details': '{}',
    }, undefined)
    const fromFile = readPayloadFile('implement-network', file(JSON.stringify({
      'physical-network-extension-details': physical, 'network-extension-details': {},
      payload: {network_id: 42, vlan: 'vlan://100', gateway: '10.1.1.1', cidr: '10.1.1.0/24'},
    })), undefined)
    assert.deepEqual(fromFlags.physical, fromFile.physical)
    assert.deepEqual(
      validatePayload(networkPayload, fromFlags.payload),
      validatePayload(networkPayload, fromFile.payload),
    )
  })

  it('reads --*-file flags holding base64 JSON', () => {
    const rules = {default_egress_allow: false, rules: [{id: 1, type: 'ingress', protocol: 'TCP'}]}
    const path = file(Buffer.from(JSON.stringify(rules)).toString('base64'))
    const invocation = readFlags('apply-fw-rules', {'network-id': '42', 'fw-rules-file': path}, undefined)
    assert.deepEqual(invocation.payload.fw_rules, rules)
  })

  it('refuses a --*-file that is not base64 JSON', () => {
    assert.throws(() => readFlags('apply-fw-rules', {'fw-rules-file': file('@@@ not base64 @@@')}, undefined), /--fw-rules-file: file does not hold JSON/)
  })

  it('refuses malformed detail JSON naming the flag', () => {
    assert.throws(() => readFlags('x', {'network-extension-details': '{"host":'}, undefined), /--network-extension-details is not valid JSON/)
  })

  it('takes the oldest generation detail blobs from the environment', () => {
    const invocation = readFlags('x', {}, undefined, {CS_PHYSICAL_NETWORK_EXTENSION_DETAILS: '{"hosts":"192.0.2.1"}'})
    assert.equal(invocation.physical.hosts, '192.0.2.1')
  })
})

describe('caller variance (cloudstack-protocol.md §2.12)', () => {
  it('accepts numbers or strings for ids', () => {
    assert.equal(validatePayload(networkPayload, {network_id: 42}).network_id, '42')
    assert.equal(validatePayload(networkPayload, {network_id: '42', vpc_id: 5}).vpc_id, '5')
  })

  it('normalises VLANs', () => {
    assert.equal(vlan.parse('vlan://100'), '100')
    assert.equal(vlan.parse(100), '100')
    assert.equal(vlan.parse('UNTAGGED'), 'untagged')
    assert.equal(vlan.parse('vlan://untagged'), 'untagged')
    for (const bad of ['0', '4095', 'vxlan://5', '10 0', '-1']) assert.equal(vlan.safeParse(bad).success, false, bad)
  })

  it('reads booleans as JSON or strings', () => {
    for (const yes of [true, 'true', 'TRUE', '1', 1]) assert.equal(bool.parse(yes), true)
    for (const no of [false, 'false', 'False', '0', 0]) assert.equal(bool.parse(no), false)
    assert.equal(bool.safeParse('maybe').success, false)
  })

  it('reads both port range spellings', () => {
    assert.deepEqual(portRange.parse('8080-8090'), {start: 8080, end: 8090})
    assert.deepEqual(portRange.parse('8080:8090'), {start: 8080, end: 8090})
    assert.deepEqual(portRange.parse(22), {start: 22, end: 22})
    for (const bad of ['0', '70000', '90-80', '22;ls']) assert.equal(portRange.safeParse(bad).success, false, bad)
  })

  it('lower-cases protocols', () => {
    assert.equal(protocol.parse('TCP'), 'tcp')
    assert.equal(protocol.parse('All'), 'all')
    assert.equal(protocol.safeParse('gre').success, false)
  })

  it('takes rule payloads as native JSON, JSON text or base64 JSON', () => {
    const schema = jsonValue(z.array(z.object({id: z.number()})))
    const rules = [{id: 1}]
    assert.deepEqual(schema.parse(rules), rules)
    assert.deepEqual(schema.parse(JSON.stringify(rules)), rules)
    assert.deepEqual(schema.parse(Buffer.from(JSON.stringify(rules)).toString('base64')), rules)
    assert.equal(schema.safeParse('%%%').success, false)
  })

  it('normalises MACs', () => {
    assert.equal(mac.parse('02:AB:cd:00:11:22'), '02:ab:cd:00:11:22')
    assert.equal(mac.safeParse('02:ab:cd:00:11').success, false)
  })

  it('treats empty strings as absent', () => {
    const payload = validatePayload(networkPayload, {network_id: '42', gateway: '', vlan: ''})
    assert.equal(payload.gateway, undefined)
    assert.equal(payload.vlan, undefined)
  })
})

describe('bad input names the field in one line', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing network_id', {vlan: '100'}, /field "network_id" is required/],
    ['shell in an id', {network_id: '42; rm -rf /'}, /field "network_id" must be an id/],
    ['path in an id', {network_id: '../../etc'}, /field "network_id" must be an id/],
    ['invalid VLAN', {network_id: '42', vlan: '5000'}, /field "vlan" must be a VLAN id/],
    ['invalid IP', {network_id: '42', gateway: '10.1.1.300'}, /field "gateway" must be an IPv4 address/],
    ['invalid CIDR', {network_id: '42', cidr: '10.1.1.0/33'}, /field "cidr" must be an IPv4 CIDR/],
    ['invalid IPv6', {network_id: '42', network_ip6_gateway: 'fd00::zz'}, /field "network_ip6_gateway" must be an IPv6 address/],
  ]
  for (const [name, payload, pattern] of cases) {
    it(name, () => {
      assert.throws(() => validatePayload(networkPayload, payload), (error: Error) => {
        assert.ok(error instanceof InputError)
        assert.match(error.message, /^field /)
        assert.match(error.message, pattern)
        return true
      })
    })
  }
})
