/**
 * Every generation-1 flag CloudStack (or the reference proxy) can send, with the generation-2 payload key it
 * stands for. Every CloudStack command accepts all of them, because CloudStack sends flags a command does not
 * use and the reference accepts them; a command shows only the ones it reads in --help.
 */
export interface FlagSpec {
  /** Payload key the flag fills. */
  key: string
  summary: string
  /** The flag names a file holding base64 of JSON (generation 1 big payloads). */
  file?: boolean
}

export const CLOUDSTACK_FLAGS: Record<string, FlagSpec> = {
  'network-id': {key: 'network_id', summary: 'CloudStack network id.'},
  'vpc-id': {key: 'vpc_id', summary: 'VPC id, when the network is a VPC tier.'},
  'zone-id': {key: 'zone_id', summary: 'Zone id.'},
  vlan: {key: 'vlan', summary: 'Guest VLAN: 100, vlan://100 or untagged.'},
  'guest-type': {key: 'guest_type', summary: 'isolated, shared or l2.'},
  'network-state': {key: 'network_state', summary: 'CloudStack network state (allocated, implementing, shutdown, destroy, ...).'},
  gateway: {key: 'gateway', summary: 'Guest IPv4 gateway.'},
  cidr: {key: 'cidr', summary: 'Guest IPv4 CIDR.'},
  'vpc-cidr': {key: 'vpc_cidr', summary: 'VPC super-CIDR.'},
  'extension-ip': {key: 'extension_ip', summary: 'Address the namespace takes on the guest network (defaults to the gateway).'},
  'network-ip6-gateway': {key: 'network_ip6_gateway', summary: 'Guest IPv6 gateway.'},
  'network-ip6-cidr': {key: 'network_ip6_cidr', summary: 'Guest IPv6 CIDR.'},
  dns6: {key: 'dns6', summary: 'IPv6 resolvers, comma separated.'},
  'public-ip': {key: 'public_ip', summary: 'Public IPv4 address.'},
  'public-vlan': {key: 'public_vlan', summary: 'Public VLAN: 101, vlan://101 or untagged.'},
  'public-gateway': {key: 'public_gateway', summary: 'Public gateway.'},
  'public-cidr': {key: 'public_cidr', summary: 'Public CIDR (only the prefix length is used).'},
  'source-nat': {key: 'source_nat', summary: 'true when the public IP is the source-NAT IP.'},
  'private-ip': {key: 'private_ip', summary: 'VM address behind a NAT rule.'},
  'public-port': {key: 'public_port', summary: 'Public port or range (22, 8080-8090 or 8080:8090).'},
  'private-port': {key: 'private_port', summary: 'Private port or range.'},
  protocol: {key: 'protocol', summary: 'tcp, udp, icmp or all (any case).'},
  'nic-id': {key: 'nic_id', summary: 'NIC id.'},
  'nic-uuid': {key: 'nic_uuid', summary: 'NIC uuid.'},
  mac: {key: 'mac', summary: 'NIC MAC address.'},
  ip: {key: 'ip', summary: 'NIC IPv4 address.'},
  'ip6-address': {key: 'ip6_address', summary: 'NIC IPv6 address.'},
  netmask: {key: 'netmask', summary: 'NIC netmask.'},
  'device-id': {key: 'device_id', summary: 'NIC device id.'},
  'default-nic': {key: 'default_nic', summary: 'true when this is the VM default NIC.'},
  hostname: {key: 'hostname', summary: 'VM host name.'},
  dns: {key: 'dns', summary: 'Resolvers, comma separated.'},
  domain: {key: 'domain', summary: 'Network domain.'},
  options: {key: 'options', summary: 'Extra DHCP options as JSON.'},
  password: {key: 'password', summary: 'VM password (never logged).'},
  userdata: {key: 'userdata', summary: 'VM user data (never logged).'},
  sshkey: {key: 'sshkey', summary: 'VM public SSH key.'},
  'hypervisor-hostname': {key: 'hypervisor_hostname', summary: 'Hypervisor host name.'},
  'lb-rules': {key: 'lb_rules', summary: 'Load-balancer rules as JSON.'},
  'fw-rules': {key: 'fw_rules', summary: 'Firewall rules as JSON or base64 JSON.'},
  'acl-rules': {key: 'acl_rules', summary: 'ACL rules as JSON or base64 JSON.'},
  'vm-data': {key: 'vm_data', summary: 'VM data as JSON or base64 JSON.'},
  'restore-data': {key: 'restore_data', summary: 'Restore data as JSON or base64 JSON.'},
  'fw-rules-file': {key: 'fw_rules', summary: 'File holding base64 of the firewall rules JSON.', file: true},
  'acl-rules-file': {key: 'acl_rules', summary: 'File holding base64 of the ACL rules JSON.', file: true},
  'vm-data-file': {key: 'vm_data', summary: 'File holding base64 of the VM data JSON.', file: true},
  'restore-data-file': {key: 'restore_data', summary: 'File holding base64 of the restore data JSON.', file: true},
  'current-details': {key: 'current_details', summary: 'Details CloudStack stored for the network (ensure-network-device).'},
  action: {key: 'action', summary: 'Custom action name.'},
  'action-params': {key: 'action-params', summary: 'Custom action parameters as JSON.'},
}

/** The two detail blobs, sent as JSON strings in generation 1 and as objects in generation 2. */
export const DETAIL_FLAGS = {
  physical: 'physical-network-extension-details',
  network: 'network-extension-details',
} as const
