#!/usr/bin/env node
// Build every package (the core and each plugin): esbuild bundles each command and hook into dist/ (start-up
// is the budget: one file per command instead of hundreds of modules), then oclif.manifest.json is
// regenerated from the built commands so oclif never imports commands just to list them.
import {build} from 'esbuild'
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')

function packages() {
  const found = [root]
  for (const parent of ['plugins', join('test', 'fixtures')]) {
    const dir = join(root, parent)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(join(dir, name, 'package.json')) && existsSync(join(dir, name, 'src'))) found.push(join(dir, name))
    }
  }
  return found
}

function entries(pkg) {
  const out = pkg === root ? [join(root, 'src', 'main.ts')] : []
  for (const sub of ['commands', 'hooks']) {
    const dir = join(pkg, 'src', sub)
    if (!existsSync(dir)) continue
    for (const file of readdirSync(dir, {recursive: true})) {
      if (String(file).endsWith('.ts')) out.push(join(dir, String(file)))
    }
  }
  return out
}

async function bundle(pkg) {
  rmSync(join(pkg, 'dist'), {recursive: true, force: true})
  await build({
    entryPoints: entries(pkg),
    outdir: join(pkg, 'dist'),
    outbase: join(pkg, 'src'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    chunkNames: 'chunks/[name]-[hash]',
    // The core bundles @oclif/core with its commands (start-up time); plugins resolve it from node_modules.
    // Native or optional modules are never bundled.
    external: ['@oclif/plugin-plugins', 'cpu-features', '*.node', 'typescript', 'ts-node'],
    // Plugins share the core's already-loaded oclif (src/cli/oclif-shared.ts) instead of loading their own.
    alias: pkg === root ? {} : {'@oclif/core': join(root, 'src', 'cli', 'oclif-shared.ts')},
    // CommonJS dependencies (ssh2, pino) expect require and __dirname inside the ESM bundle.
    banner: {
      js: "import{createRequire as __csnetRequire}from'node:module';import{fileURLToPath as __csnetPath}from'node:url';const require=__csnetRequire(import.meta.url);const __filename=__csnetPath(import.meta.url);const __dirname=__filename.slice(0,__filename.lastIndexOf('/'));",
    },
    logLevel: 'warning',
  })
}

async function manifest(pkg) {
  const {Plugin} = await import('@oclif/core/lib/config/plugin.js').catch(() => import('@oclif/core'))
  const plugin = new Plugin({root: pkg, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true})
  await plugin.load()
  return `${JSON.stringify(plugin.manifest, null, 2)}\n`
}

let stale = []
for (const pkg of packages()) {
  await bundle(pkg)
  if (!JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).oclif?.commands) continue
  const text = await manifest(pkg)
  const path = join(pkg, 'oclif.manifest.json')
  const current = existsSync(path) ? readFileSync(path, 'utf8') : ''
  if (current !== text) {
    if (check) stale.push(relative(root, path) || path)
    else writeFileSync(path, text)
  }
}
if (stale.length > 0) {
  console.error(`stale manifest(s): ${stale.join(', ')}; run npm run build and commit them`)
  process.exit(1)
}
