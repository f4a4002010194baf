/**
 * The CLI's entry, bundled together with @oclif/core and the core's commands: one module graph to load
 * instead of hundreds of files, which is most of a host-side command's start-up time. The whole oclif
 * namespace is exported so plugin bundles can share this instance (src/cli/oclif-shared.ts).
 */
import * as oclif from '@oclif/core'

export {execute, settings} from '@oclif/core'
export {oclif}
