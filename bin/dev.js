#!/usr/bin/env node
// Development entry: rebuild first (npm run build), then run like bin/run.js with oclif debug output allowed.
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url})
