/**
 * Exit codes. 0-3 keep the reference's meaning (CloudStack only checks zero/non-zero, operators' scripts
 * may check more); 4 and 5 split out host-side failures the reference lumped into 1 or leaked from `set -e`.
 */
export const ExitCode = {
  ok: 0,
  /** Bad input or configuration: missing/invalid field, unknown command, missing plugin. Nothing changed. */
  usage: 1,
  /** Management side: SSH connection, authentication or host-key failure. */
  ssh: 2,
  /** Management side: the host-side executor ran and failed. */
  remote: 3,
  /** Another command held the network lock past the wait limit, or the command's deadline expired. */
  busy: 4,
  /** Applying the change to the host failed (ip, iptables, daemons). The previous kernel state is kept where atomic. */
  apply: 5,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
