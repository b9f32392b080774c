/**
 * The real guest: a Debian kernel and a busybox initramfs built from the packages that
 * `scripts/guest-debs.sh` downloads into `.tmp/guest-debs/<arch>/`. The packages are unpacked with
 * `dpkg-deb -x`; the initramfs holds busybox-static, the virtio modules (in load order) and
 * `init.sh`, written as a gzipped newc cpio by `cpio.ts`. The result is cached under
 * `.tmp/guest/<arch>-<hash of the inputs>/` (vmlinuz, initrd.img), so only the first boot of an
 * arch pays for the build; a concurrent build of the same arch loses a rename race harmlessly.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { newc, type Entry } from './cpio.ts'

export type GuestArch = 'amd64' | 'arm64' | 's390x'

const root = resolve(import.meta.dirname, '../../..')
export const debDir = join(root, '.tmp/guest-debs')
const cacheDir = join(root, '.tmp/guest')
const initScript = join(import.meta.dirname, 'init.sh')

/**
 * The virtio modules, in dependency order (no depmod/modprobe in the guest: `insmod` each). Where
 * a kernel builds one in (s390x has virtio and virtio_ring built in), `modules.builtin` says so.
 */
export const moduleOrder = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'virtio_console',
  'virtio_blk',
  'failover',
  'net_failover',
  'virtio_net',
] as const

export interface Debs {
  readonly kernel: string
  readonly busybox: string
}

/** The downloaded packages for `arch`, or what is missing. */
export const findDebs = (arch: GuestArch): Debs | string => {
  const dir = join(debDir, arch)
  const files = existsSync(dir) ? readdirSync(dir) : []
  const kernel = files.find((f) => /^linux-image-\d.*_[^_]+_[^_]+\.deb$/.test(f) && f.endsWith(`_${arch}.deb`))
  const busybox = files.find((f) => f.startsWith('busybox-static_') && f.endsWith(`_${arch}.deb`))
  const missing = [kernel === undefined ? 'a linux-image-6.1 package' : '', busybox === undefined ? 'busybox-static' : ''].filter(Boolean)
  if (missing.length > 0) return `${missing.join(' and ')} for ${arch} in ${dir} (run npm run guest:fetch)`
  return { kernel: join(dir, kernel as string), busybox: join(dir, busybox as string) }
}

export interface GuestImage {
  readonly kernel: string
  readonly initrd: string
  /** The kernel release the modules came from (`6.1.0-57-cloud-amd64`). */
  readonly release: string
}

const inputsHash = (debs: Debs): string => {
  const h = createHash('sha256')
  for (const f of [debs.kernel, debs.busybox]) h.update(`${f.split('/').pop()}:${statSync(f).size}\n`)
  h.update(readFileSync(initScript))
  h.update(readFileSync(join(import.meta.dirname, 'cpio.ts')))
  h.update(moduleOrder.join(' '))
  return h.digest('hex').slice(0, 16)
}

const walk = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]))

const build = (arch: GuestArch, debs: Debs, into: string): GuestImage => {
  const x = join(into, 'x')
  mkdirSync(x)
  for (const deb of [debs.kernel, debs.busybox]) execFileSync('dpkg-deb', ['-x', deb, x])
  const vmlinuz = readdirSync(join(x, 'boot')).find((f) => f.startsWith('vmlinuz-'))
  if (vmlinuz === undefined) throw new Error(`${debs.kernel} has no boot/vmlinuz-*`)
  const release = vmlinuz.slice('vmlinuz-'.length)
  const modDir = join(x, 'lib/modules', release)
  const byName = new Map(walk(join(modDir, 'kernel')).map((p) => [p.split('/').pop() ?? '', p]))
  const builtin = readFileSync(join(modDir, 'modules.builtin'), 'utf8')
    .split('\n')
    .map((l) => l.split('/').pop()?.replace(/\.ko$/, ''))
  const modules = moduleOrder.flatMap((m) => {
    const p = byName.get(`${m}.ko`)
    if (p !== undefined) return [[m, p] as const]
    if (builtin.includes(m)) return []
    throw new Error(`${arch} kernel ${release} has neither ${m}.ko nor ${m} built in`)
  })
  const entries: ReadonlyArray<Entry> = [
    ...['bin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules'].map((path): Entry => ({ kind: 'dir', path })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(join(x, 'bin/busybox')), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    ...modules.map(([m, p]): Entry => ({ kind: 'file', path: `lib/modules/${m}.ko`, data: readFileSync(p) })),
    { kind: 'file', path: 'lib/modules/order', data: modules.map(([m]) => `${m}\n`).join('') },
    { kind: 'file', path: 'init', data: readFileSync(initScript), mode: 0o755 },
  ]
  writeFileSync(join(into, 'initrd.img'), gzipSync(newc(entries), { level: 6 }))
  copyFileSync(join(x, 'boot', vmlinuz), join(into, 'vmlinuz'))
  writeFileSync(join(into, 'release'), release)
  rmSync(x, { recursive: true, force: true })
  return { kernel: join(into, 'vmlinuz'), initrd: join(into, 'initrd.img'), release }
}

const cached = (dir: string): GuestImage | undefined =>
  existsSync(join(dir, 'release'))
    ? { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), release: readFileSync(join(dir, 'release'), 'utf8') }
    : undefined

/** The kernel and initramfs for `arch`, built on first use and cached. Throws when the packages are missing. */
export const guestImage = (arch: GuestArch): GuestImage => {
  const debs = findDebs(arch)
  if (typeof debs === 'string') throw new Error(`missing ${debs}`)
  const dir = join(cacheDir, `${arch}-${inputsHash(debs)}`)
  const hit = cached(dir)
  if (hit !== undefined) return hit
  mkdirSync(cacheDir, { recursive: true })
  const tmp = mkdtempSync(join(cacheDir, `.build-${arch}-`))
  try {
    build(arch, debs, tmp)
    try {
      renameSync(tmp, dir)
    } catch (e) {
      // another worker built the same inputs first: use theirs
      if (cached(dir) === undefined) throw e
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  const done = cached(dir)
  if (done === undefined) throw new Error(`building the ${arch} guest left nothing in ${dir}`)
  // images of older inputs (an earlier kernel or init.sh) are not used again
  for (const old of readdirSync(cacheDir))
    if (old.startsWith(`${arch}-`) && join(cacheDir, old) !== dir) rmSync(join(cacheDir, old), { recursive: true, force: true })
  return done
}
