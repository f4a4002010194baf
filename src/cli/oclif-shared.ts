/**
 * What plugin bundles get for `@oclif/core` (an esbuild alias in bin/build.js): the instance the core CLI
 * already loaded (bin/run.js publishes it), so a plugin command does not load and evaluate oclif a second
 * time; outside csnet (manifest generation, tests) the package itself.
 */
type Oclif = typeof import('@oclif/core')

const packageName = '@oclif/core'
const oclif: Oclif = (globalThis as {__csnetOclif?: Oclif}).__csnetOclif ?? ((await import(packageName)) as Oclif)

export const {Args, Command, Config, Errors, Flags, Interfaces, Parser, Plugin, settings} = oclif
export default oclif
