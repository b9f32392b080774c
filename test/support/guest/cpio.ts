/**
 * A minimal writer of the "newc" cpio format the kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst): directories, regular files,
 * symlinks and character devices, owned by root, mtime 0 — so the same entries give the same bytes
 * and the host needs no `cpio`.
 */

export type Entry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array | string; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'char'; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number }

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000

const pad4 = (n: number): number => (4 - (n % 4)) % 4
const hex8 = (n: number): string => n.toString(16).padStart(8, '0')

const header = (ino: number, mode: number, size: number, nameSize: number, rdev: readonly [number, number] = [0, 0]): string =>
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  '070701' + [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0].map(hex8).join('')

const record = (ino: number, name: string, mode: number, data: Uint8Array, rdev?: readonly [number, number]): Buffer => {
  const nameBytes = Buffer.from(`${name}\0`)
  const head = Buffer.from(header(ino, mode, data.length, nameBytes.length, rdev), 'ascii')
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length)), data, Buffer.alloc(pad4(data.length))])
}

/** The archive of `entries` in order (parents before children), ending with the `TRAILER!!!` record. */
export const newc = (entries: ReadonlyArray<Entry>): Buffer => {
  const parts = entries.map((e, i) => {
    const name = e.path.replace(/^\/+/, '')
    switch (e.kind) {
      case 'dir':
        return record(i + 1, name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array())
      case 'file':
        return record(i + 1, name, S_IFREG | (e.mode ?? 0o644), typeof e.data === 'string' ? Buffer.from(e.data) : e.data)
      case 'symlink':
        return record(i + 1, name, S_IFLNK | 0o777, Buffer.from(e.target))
      case 'char':
        return record(i + 1, name, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(), [e.major, e.minor])
    }
  })
  return Buffer.concat([...parts, record(0, 'TRAILER!!!', 0, new Uint8Array())])
}
