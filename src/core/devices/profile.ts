/**
 * Dialect profiles: how one option list becomes text for govmm's command line, for QEMU's, or
 * arguments for a QMP `device_add`. A device module lists its options once; the pieces whose
 * spelling depends on the dialect are *roles* (`driver`, `disable-modern`, `romfile`, `devno`,
 * placement, ids only QEMU is told, properties only govmm printed, bare flags, fd numbers), and
 * the profile decides each of them. No device module branches on the dialect.
 *
 * The govmm rules are those of govmm `8cba5a8` (`qemu/qemu.go`): `isVirtioPCI`/`isVirtioCCW`
 * decide which drivers get `disable-modern=`, `romfile=` and `devno=`; the `virtio-blk` and
 * `virtio-rng` aliases are kept on every build.
 *
 * @since 0.3.0
 */
import { appendBare, appendPair, escape, type Opt, type OptValue } from '../opts.ts'
import type { Placement, Transport } from './placement.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Which text the options become. @since 0.3.0 @category model */
export type Dialect = 'govmm' | 'qemu'

/** Where a rendering goes: a command line in one of the dialects, or QMP arguments. @since 0.3.0 @category model */
export type Target = Dialect | 'qmp'

/**
 * A piece of an option list whose spelling the profile decides.
 *
 * @since 0.3.0
 * @category model
 */
export type Role =
  /** The driver of a virtio family (`virtio-blk` → `virtio-blk-pci`/`-ccw`, or govmm's bare alias). `keyed`: govmm wrote `driver=…`. */
  | { readonly role: 'driver'; readonly family: string; readonly alias: boolean; readonly keyed: boolean }
  /** `disable-modern=`; `only` restricts it to the position one dialect printed it at. */
  | { readonly role: 'disableModern'; readonly on: boolean; readonly only: Dialect | undefined }
  /** The empty `romfile=` govmm (and Kata's hot-plug) gave PCI devices. */
  | { readonly role: 'romfile' }
  /** govmm's `devno=` on CCW devices (empty when the device has none). */
  | { readonly role: 'devno'; readonly placement: Placement }
  /** Explicit placement: `bus=`/`addr=` or `devno=`; govmm left placement to QEMU. */
  | { readonly role: 'place'; readonly placement: Placement }
  /** An `id=` govmm did not print (QEMU and QMP get it). */
  | { readonly role: 'id'; readonly id: string }
  /** A property govmm printed that QEMU 7.2 does not have. */
  | { readonly role: 'legacy'; readonly key: string; readonly value: string }
  /** A boolean govmm printed bare (`server`, `nowait`, `vhostforce`). */
  | { readonly role: 'flag'; readonly key: string; readonly on: boolean }
  /** A PCI slot number: govmm printed `%x`, QEMU gets `0x%x`. */
  | { readonly role: 'slot'; readonly key: string; readonly slot: number }
  /** A backend type govmm wrote as `type=…`. */
  | { readonly role: 'type'; readonly value: string }
  /** An option only PCI devices have (`vectors=`, `x-pci-vendor-id=`). */
  | { readonly role: 'pci'; readonly key: string; readonly value: OptValue }
  /** Passed fds: `key=<n>:<n+1>:…`, numbered from the fd base of the device. */
  | { readonly role: 'fds'; readonly key: string; readonly from: number; readonly count: number }

/** One element of an option list: a plain option, or a role. @since 0.3.0 @category model */
export type Item = Opt | Role

/** One command-line switch (`-device`, `-drive`, …) with its option list. @since 0.3.0 @category model */
export interface Switch {
  readonly flag: string
  readonly items: ReadonlyArray<Item>
}

/** What a profile needs besides the items. @since 0.3.0 @category model */
export interface Where {
  readonly transport: Transport
  /** The child fd number the device's first passed fd gets. */
  readonly fdBase: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** @since 0.3.0 @category constructors */
export const driver = (family: string, o: { readonly alias?: boolean; readonly keyed?: boolean } = {}): Role => ({
  role: 'driver',
  family,
  alias: o.alias ?? false,
  keyed: o.keyed ?? false,
})
// the six disable-modern roles, shared: a device's option list is built on every render
const disableModernRoles = ([false, true] as const).map((on) =>
  ([undefined, 'govmm', 'qemu'] as const).map((only): Role => ({ role: 'disableModern', on, only })),
)
/** @since 0.3.0 @category constructors */
export const disableModern = (on: boolean, only?: Dialect): Role =>
  disableModernRoles[on ? 1 : 0]?.[only === undefined ? 0 : only === 'govmm' ? 1 : 2] as Role
/** @since 0.3.0 @category constructors */
export const romfile: Role = { role: 'romfile' }
/** @since 0.3.0 @category constructors */
export const devno = (placement: Placement): Role => ({ role: 'devno', placement })
/** @since 0.3.0 @category constructors */
export const place = (placement: Placement): Role => ({ role: 'place', placement })
/** @since 0.3.0 @category constructors */
export const qemuId = (id: string): Role => ({ role: 'id', id })
/** @since 0.3.0 @category constructors */
export const legacy = (key: string, value: string): Role => ({ role: 'legacy', key, value })
/** @since 0.3.0 @category constructors */
export const flag = (key: string, on = true): Role => ({ role: 'flag', key, on })
/** @since 0.3.0 @category constructors */
export const slot = (key: string, n: number): Role => ({ role: 'slot', key, slot: n })
/** @since 0.3.0 @category constructors */
export const typeHead = (value: string): Role => ({ role: 'type', value })
/** @since 0.3.0 @category constructors */
export const pciOnly = (key: string, value: OptValue): Role => ({ role: 'pci', key, value })
/** @since 0.3.0 @category constructors */
export const fds = (key: string, from: number, count: number): Role => ({ role: 'fds', key, from, count })

// -------------------------------------------------------------------------------------
// govmm's driver predicates
// -------------------------------------------------------------------------------------

/**
 * govmm's `isVirtioPCI` for the PCI build (`qemu/qemu_arch_base.go`). On the s390x build every
 * answer is false.
 *
 * @since 0.3.0
 * @category utils
 */
export const govmmVirtioPci: ReadonlySet<string> = new Set([
  'virtio-9p-pci',
  'virtio-net-pci',
  'virtio-serial-pci',
  'virtio-blk',
  'virtio-blk-pci',
  'vhost-vsock-pci',
  'virtio-rng',
  'virtio-balloon',
  'vhost-user-scsi-pci',
  'vhost-user-blk-pci',
  'vfio-pci',
  'virtio-scsi-pci',
  'pci-bridge',
  'pcie-pci-bridge',
])

/** govmm's `isVirtioCCW` for the s390x build (`qemu/qemu_s390x.go`). @since 0.3.0 @category utils */
export const govmmVirtioCcw: ReadonlySet<string> = new Set([
  'virtio-9p-ccw',
  'virtio-net-ccw',
  'virtio-serial-ccw',
  'virtio-blk',
  'virtio-blk-ccw',
  'vhost-vsock-ccw',
  'virtio-rng',
  'virtio-balloon',
  'vfio-ccw',
  'virtio-scsi-ccw',
])

const isPci = (t: Transport, drv: string): boolean => t === 'pci' && govmmVirtioPci.has(drv)
const isCcw = (t: Transport, drv: string): boolean => t === 'ccw' && govmmVirtioCcw.has(drv)

// Each transport's name of a family, made once so a device's driver is one shared string.
const families = ['vfio', 'vhost-vsock', 'virtio-9p', 'virtio-blk', 'virtio-net', 'virtio-rng', 'virtio-scsi', 'virtio-serial'] as const
const driverNames: Readonly<Record<Transport, Readonly<Record<string, string>>>> = {
  pci: Object.fromEntries(families.map((f) => [f, `${f}-pci`])),
  ccw: Object.fromEntries(families.map((f) => [f, `${f}-ccw`])),
}

/** A family's driver on a transport (`virtio-net` → `virtio-net-pci`). @since 0.3.0 @category utils */
export const familyDriver = (family: string, t: Transport): string => driverNames[t][family] ?? `${family}-${t}`

// -------------------------------------------------------------------------------------
// profiles
// -------------------------------------------------------------------------------------

/**
 * Where resolved pieces go: a list of options (for QMP arguments) or straight into the text of a
 * command-line option (rendering, which then builds no intermediate list or pairs).
 */
interface Sink {
  /** A bare element: the driver or type, or a bare flag. */
  readonly bare: (s: string) => void
  /** `key=value`; an `undefined` value is no piece at all. */
  readonly pair: (key: string, value: OptValue) => void
}

/** How each role is spelled: the pieces it puts into the sink (none, one, or `bus` and `addr`). */
interface Profile {
  readonly driver: (out: Sink, r: Extract<Role, { role: 'driver' }>, t: Transport) => void
  readonly disableModern: (out: Sink, on: boolean, only: Dialect | undefined, drv: string, t: Transport) => void
  readonly romfile: (out: Sink, drv: string, t: Transport) => void
  readonly devno: (out: Sink, p: Placement, drv: string, t: Transport) => void
  readonly id: (out: Sink, id: string) => void
  readonly legacy: (out: Sink, key: string, value: string) => void
  readonly flag: (out: Sink, key: string, on: boolean) => void
  readonly slot: (out: Sink, key: string, n: number) => void
  readonly type: (out: Sink, value: string) => void
  readonly place: boolean
}

const hex = (n: number): string => `0x${n.toString(16)}`
const nothing = (): void => undefined

const govmm: Profile = {
  driver: (out, r, t) => {
    const name = r.alias ? r.family : familyDriver(r.family, t)
    if (r.keyed) out.pair('driver', name)
    else out.bare(name)
  },
  disableModern: (out, on, only, drv, t) => {
    if (only !== 'qemu' && isPci(t, drv)) out.pair('disable-modern', on ? 'true' : 'false')
  },
  romfile: (out, drv, t) => {
    if (isPci(t, drv)) out.pair('romfile', '')
  },
  devno: (out, p, drv, t) => {
    if (isCcw(t, drv)) out.pair('devno', p._tag === 'Ccw' ? p.devno : '')
  },
  id: nothing,
  legacy: (out, key, value) => out.pair(key, value),
  flag: (out, key, on) => out.bare(on ? key : `no${key}`),
  slot: (out, key, n) => out.pair(key, n.toString(16)),
  type: (out, value) => out.pair('type', value),
  place: false,
}

const qemu: Profile = {
  driver: (out, r, t) => out.bare(familyDriver(r.family, t)),
  disableModern: (out, on, only, _drv, t) => {
    if (only !== 'govmm' && on && t === 'pci') out.pair('disable-modern', true)
  },
  romfile: nothing,
  devno: nothing,
  id: (out, id) => out.pair('id', id),
  legacy: nothing,
  flag: (out, key, on) => out.pair(key, on),
  slot: (out, key, n) => out.pair(key, hex(n)),
  type: (out, value) => out.bare(value),
  place: true,
}

// Kata's hot-plug (virtcontainers/qemu.go) over QEMU's names: romfile "" on PCI devices as govmm
// had it, everything else as the qemu dialect.
const qmp: Profile = { ...qemu, romfile: govmm.romfile }

const profiles: Readonly<Record<Target, Profile>> = { govmm, qemu, qmp }

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

/**
 * One item of an option list into the sink: a plain option as it is, a role as the profile spells
 * it. `i` is its place in the list and `drv` the driver named so far (govmm's rules for
 * disable-modern/romfile/devno depend on it); gives the driver named after it.
 */
const step = (it: Item, i: number, p: Profile, w: Where, out: Sink, drv: string): string => {
  if (typeof it === 'string') {
    out.bare(it)
    return i === 0 ? it : drv
  }
  if (Array.isArray(it)) {
    const [k, v] = it as readonly [string, OptValue]
    out.pair(k, v)
    return drv
  }
  const r = it as Role
  switch (r.role) {
    case 'driver':
      p.driver(out, r, w.transport)
      return r.alias ? r.family : familyDriver(r.family, w.transport)
    case 'disableModern':
      p.disableModern(out, r.on, r.only, drv, w.transport)
      break
    case 'romfile':
      p.romfile(out, drv, w.transport)
      break
    case 'devno':
      p.devno(out, r.placement, drv, w.transport)
      break
    case 'place':
      if (p.place && r.placement._tag === 'Pci') {
        out.pair('bus', r.placement.bus)
        out.pair('addr', hex(r.placement.slot))
      } else if (p.place && r.placement._tag === 'Ccw') out.pair('devno', r.placement.devno)
      break
    case 'id':
      p.id(out, r.id)
      break
    case 'legacy':
      p.legacy(out, r.key, r.value)
      break
    case 'flag':
      p.flag(out, r.key, r.on)
      break
    case 'slot':
      p.slot(out, r.key, r.slot)
      break
    case 'type':
      p.type(out, r.value)
      break
    case 'pci':
      if (w.transport === 'pci') out.pair(r.key, r.value)
      break
    case 'fds':
      if (r.count > 0) out.pair(r.key, fdList(w.fdBase + r.from, r.count))
      break
  }
  return drv
}

/** Walk an option list for a target, each plain option as it is and each role as the profile spells it. */
const walk = (items: ReadonlyArray<Item>, target: Target, w: Where, out: Sink): void => {
  const p = profiles[target]
  let drv = ''
  for (let i = 0; i < items.length; i++) drv = step(items[i] as Item, i, p, w, out, drv)
}

/**
 * Resolve an option list for a target: plain options as they are, each role as the profile
 * spells it (possibly nothing).
 *
 * @since 0.3.0
 * @category render
 */
export const resolve = (items: ReadonlyArray<Item>, target: Target, w: Where): ReadonlyArray<Opt> => {
  const sink = new ListSink()
  walk(items, target, w, sink)
  return sink.list
}

class ListSink implements Sink {
  readonly list: Array<Opt> = []
  bare(s: string): void {
    this.list.push(s)
  }
  pair(key: string, value: OptValue): void {
    this.list.push([key, value])
  }
}

class TextSink implements Sink {
  text: string | undefined = undefined
  bare(s: string): void {
    this.text = appendBare(this.text, s)
  }
  pair(key: string, value: OptValue): void {
    if (value !== undefined) this.text = appendPair(this.text, key, value)
  }
}

/**
 * Pieces kept flat and joined once: one string per option with nothing behind it, where
 * `TextSink`'s concatenations leave a tree of a few dozen string nodes per option until the
 * string is first read. For a command line of thousands of devices, which outlives several
 * young-generation collections, that tree is what the collector copies.
 */
class FlatSink implements Sink {
  readonly pieces: Array<string> = []
  bare(s: string): void {
    this.pieces.push(escape(s))
  }
  pair(key: string, value: OptValue): void {
    if (value !== undefined) this.pieces.push(appendPair(undefined, key, value))
  }
}

/**
 * An option list as the text of one command-line option in a dialect: `opts(resolve(…))`, built
 * in one pass. `flat`: the text as one flat string (for a large command line: see `FlatSink`);
 * otherwise by concatenation, which is faster for a small one. The two give the same text.
 *
 * @since 0.3.0
 * @category render
 */
export const resolveText = (items: ReadonlyArray<Item>, dialect: Dialect, w: Where, flat = false): string => {
  if (flat) {
    const sink = new FlatSink()
    walk(items, dialect, w, sink)
    return sink.pieces.join(',')
  }
  const sink = new TextSink()
  walk(items, dialect, w, sink)
  return sink.text ?? ''
}

/**
 * One item's text for a target, given the driver named before it (`i`: its place in the list),
 * and the driver named after it; `text` is `undefined` when the item spells nothing. What
 * templates (`template.ts`) spell through.
 *
 * @since 0.3.0
 * @category render
 */
export const spellItem = (
  it: Item,
  i: number,
  target: Target,
  w: Where,
  drv: string,
): { readonly text: string | undefined; readonly drv: string } => {
  const sink = new TextSink()
  const after = step(it, i, profiles[target], w, sink, drv)
  return { text: sink.text, drv: after }
}

/** `spellItem`'s text alone (what a template's hole spells for each device). @since 0.3.0 @category render */
export const spellText = (it: Item, i: number, target: Target, w: Where, drv: string): string | undefined => {
  const sink = new TextSink()
  step(it, i, profiles[target], w, sink, drv)
  return sink.text
}

/** `n:n+1:…` for `count` fds. */
const fdList = (from: number, count: number): string => {
  let s = String(from)
  for (let i = 1; i < count; i++) s = `${s}:${from + i}`
  return s
}

/**
 * QMP arguments from a resolved option list: the implied first element becomes `head` (`driver`
 * for `device_add`, `qom-type` for `object-add` …), booleans and numbers stay typed.
 *
 * @since 0.3.0
 * @category render
 */
export const toArguments = (opts: ReadonlyArray<Opt>, head: string): Readonly<Record<string, unknown>> => {
  const out: Record<string, unknown> = {}
  opts.forEach((o, i) => {
    if (typeof o === 'string') {
      if (i === 0) out[head] = o
      else out[o] = true
    } else if (o[1] !== undefined) out[o[0]] = o[1]
  })
  return out
}
