/**
 * The backends a `-device` points at, parsed first and looked up by id: `-chardev socket`,
 * `-drive`, `-netdev tap|vhost-user`, `-fsdev local`, and `-object rng-random |
 * memory-backend-file | memory-backend-ram | iothread`. Each keeps its argv position so the device
 * it belongs to can be put back in argv order, and so an unused backend can be named.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseError, type PlanError } from '../errors.ts'
import { parseProps, type Option } from './options.ts'
import { parseUInt, reader, type Reader } from './reader.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export type Backend =
  | { readonly _tag: 'Chardev'; readonly id: string; readonly path: string; readonly server: boolean }
  | { readonly _tag: 'Drive'; readonly id: string; readonly file: string; readonly aio: 'threads' | 'native'; readonly format: string }
  | { readonly _tag: 'Tap'; readonly id: string; readonly vhost: boolean; readonly vhostFds: ReadonlyArray<number>; readonly fds: ReadonlyArray<number>; readonly ifName: string }
  | { readonly _tag: 'VhostUserNet'; readonly id: string; readonly chardev: string }
  | { readonly _tag: 'Fsdev'; readonly id: string; readonly path: string }
  | { readonly _tag: 'RngRandom'; readonly id: string; readonly filename: string }
  | { readonly _tag: 'MemoryBackend'; readonly id: string; readonly file: string | undefined; readonly sizeBytes: number; readonly share: boolean; readonly prealloc: boolean }
  | { readonly _tag: 'IoThread'; readonly id: string }

/** The namespace a backend id lives in. @since 0.1.0 @category model */
export type Ns = 'chardev' | 'drive' | 'netdev' | 'fsdev' | 'object'

/** @since 0.1.0 @category model */
export interface Located {
  readonly backend: Backend
  readonly opt: Option
}

const nsOf: Readonly<Record<string, readonly [Ns, string | undefined]>> = {
  '-chardev': ['chardev', 'backend'],
  '-drive': ['drive', undefined],
  '-netdev': ['netdev', 'type'],
  '-fsdev': ['fsdev', 'fsdriver'],
  '-object': ['object', 'qom-type'],
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** A size with QEMU's suffixes (`k M G T`, base 1024); `unit` is the multiplier of a bare number. @since 0.1.0 @category utils */
export const parseSize = (v: string, unit: number): number | undefined => {
  const m = /^([0-9]{1,15})([kKmMgGtT]?)[bB]?$/.exec(v)
  if (m === null) return undefined
  const mult = { '': unit, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m[2] ?? '').toLowerCase()] ?? unit
  const n = Number(m[1]) * mult
  return Number.isSafeInteger(n) ? n : undefined
}

const fdList = (r: Reader, key: string): ReadonlyArray<number> => {
  const v = r.str(key)
  if (v === undefined) return []
  const xs = v.split(':').map((x) => parseUInt(x))
  if (xs.some((x) => x === undefined)) r.fail(`property ${key}=${v} is not a list of fd numbers (a:b:…)`)
  return xs.map((x) => x ?? 0)
}

const chardev = (r: Reader): Backend => {
  if (r.head !== 'socket') r.fail('only socket chardevs are in the device model')
  const id = r.req('id')
  const path = r.req('path')
  const server = r.bool('server') ?? false
  const wait = r.bool('wait')
  if (server ? wait !== false : wait !== undefined) r.fail('a socket chardev in the device model is a server with wait=off, or a client without wait')
  return { _tag: 'Chardev', id, path, server }
}

const drive = (r: Reader): Backend => {
  const id = r.req('id')
  const file = r.req('file')
  const aio = r.req('aio')
  const format = r.req('format')
  r.fixed('if', ['none'], true)
  if (aio !== 'threads' && aio !== 'native') r.fail(`property aio=${aio}: the device model has aio=threads or aio=native`)
  return { _tag: 'Drive', id, file, aio: aio === 'native' ? 'native' : 'threads', format }
}

const netdev = (r: Reader): Backend => {
  const id = r.req('id')
  if (r.head === 'vhost-user') {
    const chardev = r.req('chardev')
    if (r.bool('vhostforce') !== true) r.fail('a vhost-user netdev in the device model has vhostforce=on')
    return { _tag: 'VhostUserNet', id, chardev }
  }
  if (r.head !== 'tap') r.fail(`netdev type ${r.head ?? '(none)'} is not in the device model (tap, vhost-user)`)
  const vhost = r.bool('vhost') ?? false
  const vhostFds = fdList(r, 'vhostfds')
  const fds = fdList(r, 'fds')
  if (vhostFds.length > 0 && !vhost) r.fail('vhostfds without vhost=on')
  if (fds.length > 0) return { _tag: 'Tap', id, vhost, vhostFds, fds, ifName: '' }
  const ifName = r.req('ifname')
  r.fixed('downscript', ['no'], true)
  r.fixed('script', ['no'], true)
  return { _tag: 'Tap', id, vhost, vhostFds, fds, ifName }
}

const fsdev = (r: Reader): Backend => {
  if (r.head !== 'local') r.fail('only local fsdevs are in the device model')
  const id = r.req('id')
  const path = r.req('path')
  r.fixed('security_model', ['none'], true)
  return { _tag: 'Fsdev', id, path }
}

const object = (r: Reader): Backend => {
  const id = r.req('id')
  switch (r.head) {
    case 'iothread':
      return { _tag: 'IoThread', id }
    case 'rng-random':
      return { _tag: 'RngRandom', id, filename: r.req('filename') }
    case 'memory-backend-file':
    case 'memory-backend-ram': {
      const file = r.head === 'memory-backend-file' ? r.req('mem-path') : undefined
      const size = r.req('size')
      const sizeBytes = parseSize(size, 1)
      if (sizeBytes === undefined) r.fail(`property size=${size} is not a size`)
      return { _tag: 'MemoryBackend', id, file, sizeBytes: sizeBytes ?? 0, share: r.bool('share') ?? false, prealloc: r.bool('prealloc') ?? false }
    }
    default:
      r.fail(`object type ${r.head ?? '(none)'} is not in the device model`)
      return { _tag: 'IoThread', id }
  }
}

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/** Is this option a backend? @since 0.1.0 @category utils */
export const isBackend = (o: Option): boolean => nsOf[o.flag] !== undefined

/**
 * Parse every backend option, keyed `ns:id`. Two backends with one id in one namespace are an error.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseBackends = (options: ReadonlyArray<Option>): E.Either<PlanError, ReadonlyMap<string, Located>> => {
  const out = new Map<string, Located>()
  for (const opt of options) {
    const ns = nsOf[opt.flag]
    if (ns === undefined) continue
    const r = reader(opt, parseProps(opt.value, ns[1]))
    const b = ns[0] === 'chardev' ? chardev(r) : ns[0] === 'drive' ? drive(r) : ns[0] === 'netdev' ? netdev(r) : ns[0] === 'fsdev' ? fsdev(r) : object(r)
    const done = r.done(b)
    if (E.isLeft(done)) return done
    const key = `${ns[0]}:${b.id}`
    if (out.has(key)) return E.left(parseError({ position: opt.position + 1, token: opt.value, reason: `${opt.flag}: id ${b.id} is already used by another ${ns[0]}` }))
    out.set(key, { backend: b, opt })
  }
  return E.right(out)
}
