#!/usr/bin/env node
// CloudStack stores what we print: oclif's and Node's warnings go to nothing (csnet logs to its own file).
process.removeAllListeners('warning')
process.on('warning', () => {})
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'

const {execute, settings} = await import('../dist/main.js')
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
