/**
 * The CLI's entry, bundled together with @oclif/core and the core's commands: one module graph to load
 * instead of hundreds of files, which is most of a host-side command's start-up time.
 */
export {execute, settings} from '@oclif/core'
