import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

/** Write a file so readers and crashes only ever see the old or the new content: temp + fsync + rename. */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o644): void {
  const dir = dirname(path)
  mkdirSync(dir, {recursive: true})
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const fd = openSync(temp, 'w', mode)
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    try {
      unlinkSync(temp)
    } catch {}
    throw error
  }
  closeSync(fd)
  renameSync(temp, path)
  syncDirectory(dir)
}

/** Make a rename or unlink durable. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** writeFileAtomic, skipped when the file already holds exactly this content (each write costs two fsyncs). */
export function writeFileIfChanged(path: string, content: string, mode = 0o644): boolean {
  try {
    if (readFileSync(path, 'utf8') === content) return false
  } catch {}
  writeFileAtomic(path, content, mode)
  return true
}
