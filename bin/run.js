#!/usr/bin/env node
// CloudStack stores what we print: oclif's and Node's warnings go to nothing (csnet logs to its own file).
process.removeAllListeners('warning')
process.on('warning', () => {})
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'

// Node 22.1+ keeps compiled code between runs (no-op on Node 20): most of a host command's start-up is
// compiling the CLI. The cache lives in the OS temp dir unless NODE_COMPILE_CACHE says otherwise.
const {enableCompileCache} = await import('node:module')
try {
  enableCompileCache?.()
} catch {}

const {execute, oclif, settings} = await import('../dist/main.js')
globalThis.__csnetOclif = oclif
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
