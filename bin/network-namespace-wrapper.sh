#!/bin/sh
# KVM-host executor: the management side runs /etc/cloudstack/extensions/<ext>/<ext>-wrapper.sh over SSH.
# Copy this file there; the directory's name is the extension name (state, log and lock paths derive from it).
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
CSNET_EXTENSION=${CSNET_EXTENSION:-$(basename "$(dirname "$self")")}
CSNET_ROLE=host
export CSNET_EXTENSION CSNET_ROLE
exec "${CSNET_BIN:-csnet}" "$@"
