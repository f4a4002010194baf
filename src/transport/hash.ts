import CRC32 from 'crc-32'

const TABLE = (() => {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i += 1) {
    let crc = i << 24
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1
    table[i] = crc >>> 0
  }
  return table
})()

/** POSIX `cksum` (CRC-32/CKSUM: MSB-first, length appended, complemented): what the bash proxy computes. */
export function posixCksum(data: Buffer): number {
  let crc = 0
  const feed = (byte: number) => {
    crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0
  }
  for (const byte of data) feed(byte)
  for (let length = data.length; length > 0; length = Math.floor(length / 256)) feed(length & 0xff)
  return ~crc >>> 0
}

/** zlib CRC-32 from the crc-32 package, made unsigned (it returns a signed int32). */
export function crc32(data: Buffer): number {
  return CRC32.buf(data) >>> 0
}

export type HostHash = 'crc32' | 'cksum'

/** Preferred host index for a routing key (vpc id, else network id). */
export function preferredIndex(key: string, hosts: number, hash: HostHash): number {
  const data = Buffer.from(key, 'utf8')
  return (hash === 'cksum' ? posixCksum(data) : crc32(data)) % hosts
}
