// A Node whose zstd fails the start-up probe (it is experimental in Node 24): new backups are
// written in format 1 (gzip), and a format-2 file is refused with a reason instead of crashing.
import { Readable } from 'node:stream'
import { zstdCompressSync } from 'node:zlib'
import { describe, expect, it, vi } from 'vitest'
import { BackupInvalidError } from '../../../server/engine/errors'

vi.mock('../../../server/engine/compression', async original => ({ ...await original<typeof import('../../../server/engine/compression')>(), zstdSupported: () => false }))

describe('without a working zstd', () => {
  it('writes format 1 (gzip), under the gzip name and type', async () => {
    const format = await import('../../../server/engine/format')
    expect(format.FORMAT_VERSION).toBe(1)
    expect(format.FILE_EXTENSION).toBe('jsonl.gz')
    expect(format.CONTENT_TYPE).toBe('application/gzip')
  })

  it('refuses a format-2 (zstd) file as unsupported_format', async () => {
    const { readArchive } = await import('../../../server/engine/restore/archive-reader')
    const file = zstdCompressSync(Buffer.from('{"type":"header","format":"cofre-backup","version":2}\n'))
    const read = async () => { for await (const _ of readArchive(Readable.from([file]), { maxUncompressedBytes: 1 << 20 })) { /* drain */ } }
    const err = await read().then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(BackupInvalidError)
    expect((err as BackupInvalidError).reason).toBe('unsupported_format')
  })
})
