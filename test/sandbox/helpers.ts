import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import readline from 'node:readline'
import {fileURLToPath} from 'node:url'

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..')
export const CLI = join(ROOT, 'bin', 'run.js')
export const STATE_DIR = '/var/lib/cloudstack/network-namespace'
export const LOG_FILE = '/var/log/cloudstack/extensions/network-namespace/network-namespace.log'

/** Sandbox tests change networking: they only run inside test/sandbox/enter.sh. */
export const sandboxSkip = process.env.CSNET_IN_SANDBOX === '1' ? false : 'needs the network sandbox (run through test/sandbox/enter.sh)'

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

export function csnet(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', env: {...process.env, ...env}})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

export function csnetAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, ...env}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}

/** Run a program (argument array) and return its stdout; throws on failure. */
export function sh(file: string, ...args: string[]): string {
  return execFileSync(file, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}

export function trySh(file: string, ...args: string[]): Run {
  const result = spawnSync(file, args, {encoding: 'utf8'})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

const payloadDir = mkdtempSync(join(tmpdir(), 'csnet-payloads-'))
let payloads = 0

export const PHYSICAL = {hosts: '192.0.2.10', username: 'root', 'guest.network.device': 'eth1', 'public.network.device': 'eth1', physicalnetworkname: 'pnet'}

/** A generation-2 payload file as CloudStack writes it. */
export function payloadFile(payload: Record<string, unknown>, physical: Record<string, string> = PHYSICAL): string {
  const path = join(payloadDir, `cs-extnet-${payloads++}.payload`)
  writeFileSync(path, JSON.stringify({'physical-network-extension-details': physical, 'network-extension-details': {}, payload}))
  return path
}

/** The trunk NIC stand-in (no 802.1Q here): a veth named eth1, created before csnet runs. */
export function ensureTrunk(): void {
  if (trySh('ip', 'link', 'show', 'eth1').status !== 0) sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
}

/**
 * A VM on guest VLAN `vlan`: the `eth1.<vlan>` stand-in is a veth whose other end lives in the VM's namespace,
 * so VM traffic enters the guest bridge exactly where the VLAN sub-interface would deliver it.
 */
export function addVm(vlan: string, vm: string, address: string, gateway?: string): void {
  ensureTrunk()
  sh('ip', 'netns', 'add', vm)
  sh('ip', 'link', 'add', `eth1.${vlan}`, 'type', 'veth', 'peer', 'name', 'vm0', 'netns', vm)
  sh('ip', '-n', vm, 'link', 'set', 'lo', 'up')
  sh('ip', '-n', vm, 'addr', 'add', address, 'dev', 'vm0')
  sh('ip', '-n', vm, 'link', 'set', 'vm0', 'up')
  if (gateway) sh('ip', '-n', vm, 'route', 'add', 'default', 'via', gateway)
}

export function ping(fromNamespace: string, address: string): boolean {
  return trySh('ip', 'netns', 'exec', fromNamespace, 'ping', '-c', '1', '-W', '1', address).status === 0
}

/** Kernel state a second implement must not change: owned ruleset (no counters/comments) and addresses. */
export function kernelState(namespace: string): string {
  const save = sh('ip', 'netns', 'exec', namespace, 'iptables-save')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/\s\[\d+:\d+\]$/, ''))
    .join('\n')
  // Kernel clocks (bridge timers, address lifetimes) and DAD progress move on their own; everything else must not.
  const steady = (text: string) =>
    text
      .replace(/\s+valid_lft.*$/gm, '')
      .replace(/\b\w+_timer\s+[\d.]+/g, '')
      .replace(/ tentative\b/g, '')
      .replace(/ state (UP|UNKNOWN|DOWN|LOWERLAYERDOWN) /g, ' ')
  const addr = steady(sh('ip', '-n', namespace, '-d', 'addr'))
  const hostAddr = steady(sh('ip', '-d', 'addr'))
  return `${save}\n${addr}\n${hostAddr}`
}

/** Everything csnet or a test could have left: namespaces, links, state, logs. */
export function resetHost(): void {
  for (const namespace of readdirSync('/run/netns')) trySh('ip', 'netns', 'del', namespace)
  const links = JSON.parse(sh('ip', '-json', 'link', 'show')) as Array<{ifname: string}>
  for (const {ifname} of links) if (ifname !== 'lo') trySh('ip', 'link', 'del', ifname)
  for (const dir of ['/var/lib/cloudstack', '/etc/netns', '/var/log/cloudstack']) {
    for (const entry of readdirSync(dir)) rmSync(join(dir, entry), {recursive: true, force: true})
  }
}

/** A fingerprint of everything on the host csnet could touch, to prove a refused command changed nothing. */
export function hostFingerprint(): string {
  const listing = (dir: string): string[] => {
    try {
      return readdirSync(dir, {recursive: true}).map(String).sort()
    } catch {
      return []
    }
  }
  return JSON.stringify({
    netns: listing('/run/netns'),
    links: sh('ip', '-br', 'link').split('\n').sort(),
    // Lock files (and the state dir holding them) exist by design once a command got as far as locking.
    state: listing('/var/lib/cloudstack').filter((entry) => !/(^|\/)lock-/.test(entry) && entry !== 'network-namespace'),
    etc: listing('/etc/netns'),
  })
}

const NETCAT = join(ROOT, 'test', 'sandbox', 'netcat.js')
const servers: Array<ReturnType<typeof spawn>> = []

/** Start a TCP/UDP server inside a namespace; resolves once it listens. Stopped by stopServers(). */
export function serve(namespace: string, protocol: 'tcp' | 'udp', host: string, port: number): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, NETCAT, `serve-${protocol}`, host, String(port)], {stdio: ['ignore', 'pipe', 'inherit']})
  servers.push(child)
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`server ${namespace} ${host}:${port} exited ${code}`)))
  })
}

export function stopServers(): void {
  for (const child of servers.splice(0)) child.kill()
}

/** One connection attempt: the server's greeting (which names the address it saw us come from), or undefined. */
export function probe(namespace: string, protocol: 'tcp' | 'udp', host: string, port: number, source?: string): string | undefined {
  const env = source ? {...process.env, NETCAT_SOURCE: source} : process.env
  const result = spawnSync('ip', ['netns', 'exec', namespace, process.execPath, NETCAT, `probe-${protocol}`, host, String(port)], {encoding: 'utf8', env})
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** A long-lived TCP connection whose liveness can be checked after rules change. */
export function holdConnection(namespace: string, host: string, port: number) {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, NETCAT, 'hold-tcp', host, String(port)], {stdio: ['pipe', 'pipe', 'inherit']})
  const lines: string[] = []
  let waiter: ((line: string) => void) | undefined
  readline.createInterface({input: child.stdout!}).on('line', (line) => {
    if (waiter) {
      const resolve = waiter
      waiter = undefined
      resolve(line)
    } else lines.push(line)
  })
  const next = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : (waiter = resolve)))
  return {
    greeting: next,
    /** Send a line and return its echo, or "DEAD" when the connection no longer carries traffic. */
    async echo(text: string): Promise<string> {
      child.stdin!.write(`${text}\n`)
      return next()
    },
    close: () => child.kill(),
  }
}

/** An upstream router behind public VLAN `vlan` (the `eth1.<vlan>` stand-in's far end), holding `address`. */
export function addRouter(name: string, vlan: string, address: string): void {
  ensureTrunk()
  sh('ip', 'netns', 'add', name)
  sh('ip', 'link', 'add', `eth1.${vlan}`, 'type', 'veth', 'peer', 'name', 'up0', 'netns', name)
  sh('ip', '-n', name, 'addr', 'add', address, 'dev', 'up0')
  sh('ip', '-n', name, 'link', 'set', 'up0', 'up')
  sh('ip', '-n', name, 'link', 'set', 'lo', 'up')
}
