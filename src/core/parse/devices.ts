/**
 * `-device …` (with the backends it names) → the device model, through the device modules'
 * readers (`devices/registry.ts`). Backends (`-chardev`, `-drive`, `-netdev`, `-fsdev`,
 * `-object`) are read first and looked up by id; each device takes its own, and a backend no
 * device takes, or one taken twice, is refused. Every property a reader does not take is a
 * `ParseError` naming the argv token: the renderer would not print it back.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { backendFlags, parseBackend, type Backend, type BackendOf } from '../devices/backends/index.ts'
import type { Device } from '../devices/model.ts'
import type { Namespace, ParseContext } from '../devices/module.ts'
import type { Transport } from '../devices/placement.ts'
import { readerOf } from '../devices/registry.ts'
import { parseError, type ParseError } from '../errors.ts'
import type { Option } from './options.ts'
import { reader, type Reader } from './reader.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A backend option, parsed, with the option it came from. @since 0.1.0 @category model */
export interface Located {
  readonly backend: Backend
  readonly ns: Namespace
  readonly opt: Option
  /** The index of its option (among the options given to `parseBackends`). */
  readonly index: number
}

/** The backends of a command line: by namespace and id, and by option. @since 0.3.0 @category model */
export interface Backends {
  readonly byId: ReadonlyMap<Namespace, ReadonlyMap<string, Located>>
  /** For each option (index as in the options given to `parseBackends`), the backend it is, if any. */
  readonly at: ReadonlyArray<Located | undefined>
}

/**
 * Which backends the devices took: one bit per backend, owned by one parse.
 *
 * @since 0.3.0
 * @category model
 */
export class UsedBackends {
  private readonly taken: Uint8Array
  constructor(backends: Backends) {
    this.taken = new Uint8Array(backends.at.length)
  }
  has(l: Located): boolean {
    return this.taken[l.index] === 1
  }
  add(l: Located): void {
    this.taken[l.index] = 1
  }
}

/** A device with the argv positions of its options (frontend and backends). @since 0.1.0 @category model */
export interface Placed {
  readonly device: Device
  readonly positions: ReadonlyArray<number>
  /** The command line gave the device no id (govmm's VFIO and vhost-user blk/fs); its id was derived. */
  readonly derivedId: boolean
}

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Parse every backend option, by namespace and id. Two backends with one id in one namespace are an error.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseBackends = (options: ReadonlyArray<Option>): E.Either<ParseError, Backends> => {
  const byId = new Map<Namespace, Map<string, Located>>()
  const at: Array<Located | undefined> = []
  for (const opt of options) {
    const ns = backendFlags[opt.flag]
    if (ns === undefined) {
      at.push(undefined)
      continue
    }
    const r = reader(opt, ns[1])
    const done = r.done(parseBackend(ns[0], r))
    if (E.isLeft(done)) return done
    let ids = byId.get(ns[0])
    if (ids === undefined) byId.set(ns[0], (ids = new Map()))
    const l: Located = { backend: done.right, ns: ns[0], opt, index: at.length }
    // one hash operation: an id already there leaves the size as it was
    const before = ids.size
    ids.set(done.right.id, l)
    if (ids.size === before)
      return E.left(
        parseError({
          position: opt.position + 1,
          token: opt.value,
          reason: `${opt.flag}: id ${done.right.id} is already used by another ${ns[0]}`,
        }),
      )
    at.push(l)
  }
  return E.right({ byId, at })
}

/** The first backend in argv order that no device took. @since 0.3.0 @category utils */
export const firstUnused = (backends: Backends, used: UsedBackends): Located | undefined =>
  backends.at.find((l) => l !== undefined && !used.has(l))

/** Drivers whose command line may leave the device without an id (govmm printed none). */
const mayLackId = (driver: string | undefined): boolean =>
  driver?.startsWith('vfio-') === true || driver === 'vhost-user-blk-pci' || driver === 'vhost-user-fs-pci'

/**
 * Every `-device` with its backends, in `-device` order: the order QEMU creates them in, and in a
 * rendered argv also the plan order (each device's options are contiguous there). `used` gets the
 * backends the devices took. Linear in the number of options, and nothing but the device's own
 * values allocated per device beyond its reader.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseDevices = (
  options: ReadonlyArray<Option>,
  backends: Backends,
  transport: Transport,
  used: UsedBackends,
): E.Either<ParseError, ReadonlyArray<Placed>> => {
  const out: Array<Placed> = []
  const ids = new Set<string>()
  const counts = new Map<string, number>()
  // one context for the whole parse; the current device's positions are the first `taken` of
  // `scratch`, copied out at its end at their exact size (an array grown by push would keep
  // room for 17 numbers per device for the whole parse)
  const scratch: Array<number> = []
  let taken = 0
  const ctx: ParseContext = {
    transport,
    use: <K extends Backend['_tag']>(rd: Reader, id: string, ns: Namespace, kinds: ReadonlyArray<K>): BackendOf<K> | undefined => {
      if (id === '') return undefined
      // a rendered command line gives a device's backend right after it (a drive) or right
      // before it (an RNG object): no lookup then
      const after = backends.at[current + 1]
      const before = backends.at[current - 1]
      const b =
        after !== undefined && after.ns === ns && after.backend.id === id
          ? after
          : before !== undefined && before.ns === ns && before.backend.id === id
            ? before
            : backends.byId.get(ns)?.get(id)
      if (b === undefined || !(kinds as ReadonlyArray<string>).includes(b.backend._tag)) {
        rd.fail(`no ${ns} ${id} of the right kind (${kinds.join(' or ')}) on the command line`)
        return undefined
      }
      if (used.has(b)) rd.fail(`${ns} ${id} is already used by another device`)
      used.add(b)
      scratch[taken++] = b.opt.position
      return b.backend as BackendOf<K>
    },
    count: (tag) => counts.get(tag) ?? 0,
  }
  // the option being read
  let current = 0
  for (; current < options.length; current++) {
    const opt = options[current] as Option
    if (opt.flag !== '-device') continue
    const r = reader(opt, 'driver')
    scratch[0] = opt.position
    taken = 1
    const driver = r.head ?? ''
    const derivedId = mayLackId(r.head) && !r.has('id')
    const parse = readerOf(driver)
    if (parse === undefined) r.fail(`driver ${driver || '(none)'} is not in the device model (parse does not understand it)`)
    const d = parse?.read(r, ctx, driver)
    if (parse !== undefined && d === undefined) r.fail('its backend is missing')
    const done = r.done(d)
    if (E.isLeft(done)) return done
    if (done.right === undefined) continue
    const id = done.right.id
    const before = ids.size
    if (id !== '' && ids.add(id).size === before)
      return E.left(
        parseError({ position: opt.position + 1, token: opt.value, reason: `-device: id ${id} is already used by another device` }),
      )
    counts.set(done.right._tag, (counts.get(done.right._tag) ?? 0) + 1)
    out.push({ device: done.right, positions: scratch.slice(0, taken), derivedId })
  }
  return E.right(out)
}

/** An error for a backend no device uses. @since 0.1.0 @category errors */
export const unusedBackend = (l: Located): ParseError =>
  parseError({
    position: l.opt.position + 1,
    token: l.opt.value,
    reason: `${l.opt.flag} ${l.backend.id} is not used by any device the device model knows`,
  })
