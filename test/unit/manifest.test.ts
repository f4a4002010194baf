import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, it} from 'node:test'
import {Plugin} from '@oclif/core'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..')

function packages(): string[] {
  const found = [ROOT]
  for (const parent of ['plugins', join('test', 'fixtures')]) {
    const dir = join(ROOT, parent)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir)) if (existsSync(join(dir, name, 'oclif.manifest.json'))) found.push(join(dir, name))
  }
  return found
}

// oclif ignores a manifest whose version differs (with a warning CloudStack would store), and a stale
// command list hides commands: the committed manifests must match what the build produces.
describe('oclif.manifest.json is fresh', () => {
  for (const root of packages()) {
    it(root === ROOT ? 'core' : root.slice(ROOT.length + 1), async () => {
      const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true})
      await plugin.load()
      const committed = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
      const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
      assert.equal(committed.version, pjson.version, 'manifest version differs from package.json: run npm run build')
      assert.deepEqual(Object.keys(committed.commands).sort(), Object.keys(plugin.manifest.commands).sort())
      assert.deepEqual(committed, JSON.parse(JSON.stringify(plugin.manifest)), 'manifest is stale: run npm run build and commit it')
    })
  }
})
