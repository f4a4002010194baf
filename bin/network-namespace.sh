#!/bin/sh
# Management-server entry point: CloudStack runs <extension path>/<ext>.sh <command> <payload-file> <timeout>.
# Copy (or symlink) this file there under the extension's name; the directory's name is the extension name.
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
CSNET_EXTENSION=${CSNET_EXTENSION:-$(basename "$(dirname "$self")")}
CSNET_ROLE=management
export CSNET_EXTENSION CSNET_ROLE
exec "${CSNET_BIN:-csnet}" "$@"
