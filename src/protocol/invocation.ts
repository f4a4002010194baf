/** One CloudStack call, whichever wire generation carried it. Values are still raw; commands validate them. */
export interface Invocation {
  command: string
  generation: 1 | 2
  /** physical-network-extension-details: flat string map (hosts, username, guest.network.device, ...). */
  physical: Record<string, string>
  /** network-extension-details: what ensure-network-device stored ({host, namespace, vpc_id}). */
  details: Record<string, unknown>
  /** Payload fields keyed as in generation 2 (network_id, vlan, ...). */
  payload: Record<string, unknown>
  timeoutSeconds: number
}

export const DEFAULT_TIMEOUT_SECONDS = 60
