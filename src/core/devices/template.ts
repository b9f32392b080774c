/**
 * Templates: a module's option list written once, with holes for what differs from device to
 * device, and compiled once per dialect and transport for the command line (see `Template`). The
 * profile (`profile.ts`) still spells every item; a template only decides, once, which of its
 * items do not depend on the device.
 *
 * @since 0.3.0
 */
import { escape, valueText, type OptValue } from '../opts.ts'
import type { Placement, Transport } from './placement.ts'
import {
  devno,
  disableModern,
  place,
  qemuId,
  resolveText,
  spellItem,
  spellText,
  type Dialect,
  type Item,
  type Role,
  type Where,
} from './profile.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A hole in a template: what one device puts there.
 * - `pair`: a plain `key=value` (no role: every dialect spells it alike; `undefined` drops it);
 * - `text`: a role built from one string of the device (`qemuId(d.id)`): spelled once with a
 *   marker where the string goes, then filled with the escaped string;
 * - `when`: one of two fixed items, by a test of the device (both spelled once);
 * - `placed`: a role of the device's placement, dropped when the dialect spells it for no
 *   placement, otherwise spelled for each device;
 * - `item`: any item, spelled for each device as the walk spells it.
 *
 * @since 0.3.0
 * @category model
 */
export type Hole<D> =
  | { readonly hole: 'pair'; readonly key: string; readonly of: (d: D) => OptValue }
  | { readonly hole: 'text'; readonly of: (d: D) => string; readonly item: (v: string) => Item }
  | { readonly hole: 'when'; readonly test: (d: D) => boolean; readonly yes: Item; readonly no: Item }
  | { readonly hole: 'placed'; readonly of: (d: D) => Placement; readonly item: (p: Placement) => Item }
  | { readonly hole: 'item'; readonly of: (d: D) => Item }

/** A piece of a template: an item every device of the module has, or a hole. @since 0.3.0 @category model */
export type Part<D> = Item | Hole<D>

/** @since 0.3.0 @category constructors */
export const pairOf = <D>(key: string, of: (d: D) => OptValue): Hole<D> => ({ hole: 'pair', key, of })
/** `key=on` when the test holds, nothing otherwise. @since 0.3.0 @category constructors */
export const onWhen = <D>(key: string, test: (d: D) => boolean): Hole<D> => pairOf(key, (d) => (test(d) ? true : undefined))
/** @since 0.3.0 @category constructors */
export const textOf = <D>(item: (v: string) => Item, of: (d: D) => string): Hole<D> => ({ hole: 'text', of, item })
/** @since 0.3.0 @category constructors */
export const when = <D>(test: (d: D) => boolean, yes: Item, no: Item): Hole<D> => ({ hole: 'when', test, yes, no })
/** @since 0.3.0 @category constructors */
export const itemOf = <D>(of: (d: D) => Item): Hole<D> => ({ hole: 'item', of })

/** `disable-modern=` from the device's own flag (`only`: as for `disableModern`). @since 0.3.0 @category constructors */
export const modernOf = <D extends { readonly disableModern: boolean }>(only?: Dialect): Hole<D> =>
  when((d) => d.disableModern, disableModern(true, only), disableModern(false, only))
/** An `id=` only QEMU is told, from the device's id. @since 0.3.0 @category constructors */
export const qemuIdOf = <D extends { readonly id: string }>(): Hole<D> => textOf(qemuId, (d) => d.id)
/** govmm's `devno=` of the device's placement. @since 0.3.0 @category constructors */
export const devnoOf = <D extends { readonly placement: Placement }>(): Hole<D> => ({ hole: 'placed', of: (d) => d.placement, item: devno })
/** The device's explicit placement. @since 0.3.0 @category constructors */
export const placeOf = <D extends { readonly placement: Placement }>(): Hole<D> => ({ hole: 'placed', of: (d) => d.placement, item: place })

const isHole = <D>(x: Part<D>): x is Hole<D> => typeof x === 'object' && !Array.isArray(x) && 'hole' in x

/** The item a part is for one device. */
const fill = <D>(x: Part<D>, d: D): Item => {
  if (!isHole(x)) return x
  switch (x.hole) {
    case 'pair':
      return [x.key, x.of(d)]
    case 'text':
      return x.item(x.of(d))
    case 'when':
      return x.test(d) ? x.yes : x.no
    case 'placed':
      return x.item(x.of(d))
    case 'item':
      return x.of(d)
  }
}

/** One device's text in a dialect, from a template compiled for that dialect and a transport. */
type Compiled<D> = (d: D, fdBase: number, flat: boolean) => string

/** A hole spelled for each device as the walk spells it: its text, `undefined` when it spells nothing. */
type Filler<D> = (d: D, fdBase: number) => string | undefined

/** What a piece of compiled text is (see `Piece`). */
const enum Op {
  /** fixed text */
  Text,
  /** `key=` and the value (`undefined`: nothing) */
  Pair,
  /** the text, the escaped string, the text after it */
  Fill,
  /** one of two texts by the test (either may be nothing) */
  Choose,
  /** the text for the placement: none, CCW or the PCI slot's, with the number or bus filled in */
  Place,
  /** the walk's text for the device */
  Walk,
}

/**
 * One piece of compiled text: fixed text, or a hole the runner fills from the device. Every piece
 * has the same fields (those its kind does not use are empty), so the one loop that reads them
 * sees one shape, and a hole is one call of its getter at most.
 */
interface Piece<D> {
  readonly op: Op
  /** What the hole reads of the device: the value, the string, the test or the placement. */
  readonly get: (d: D) => unknown
  /** `Text`: the text; `Pair`: `key=`; `Fill`: the text before the string. */
  readonly text: string
  /** `Fill`: the text after the string. */
  readonly after: string
  /** `Choose`: the text when the test holds, and when it does not. */
  readonly yes: string | undefined
  readonly no: string | undefined
  /** `Place`: the text for no placement; before and after the device number on CCW; before and after the bus by PCI slot (0–31). */
  readonly none: string | undefined
  readonly ccw: Around
  readonly pci: ReadonlyArray<Around>
  /** `Walk`, and `Place` for a slot beyond the table: the walk's text. */
  readonly walk: Filler<D>
}

/** The text before and after a value, or nothing at all. */
type Around = readonly [string, string] | undefined

/** The getter and the walk of a piece whose kind has none. */
const nothing = (): undefined => undefined
const piece = <D>(op: Op, p: Partial<Piece<D>>): Piece<D> => ({
  op,
  get: p.get ?? nothing,
  text: p.text ?? '',
  after: p.after ?? '',
  yes: p.yes,
  no: p.no,
  none: p.none,
  ccw: p.ccw,
  pci: p.pci ?? [],
  walk: p.walk ?? nothing,
})

/** The PCI slots the compiled placement tables hold (0–31: every slot of a bus). */
const pciSlots = 32

const around = (a: Around, v: string): string | undefined => (a === undefined ? undefined : a[0] + escape(v) + a[1])

/** One piece's text for a device, `undefined` when it spells nothing. */
const textOfPiece = <D>(x: Piece<D>, d: D, fdBase: number): string | undefined => {
  switch (x.op) {
    case Op.Text:
      return x.text
    case Op.Pair: {
      const v = x.get(d) as OptValue
      return v === undefined ? undefined : x.text + valueText(v)
    }
    case Op.Fill:
      return x.text + escape(x.get(d) as string) + x.after
    case Op.Choose:
      return x.get(d) ? x.yes : x.no
    case Op.Place: {
      const pl = x.get(d) as Placement
      if (pl._tag === 'None') return x.none
      if (pl._tag === 'Ccw') return around(x.ccw, pl.devno)
      const slot = pl.slot
      // a slot the table does not hold (not 0–31) is spelled as the walk spells it
      return slot >= 0 && slot < pciSlots && Number.isInteger(slot) ? around(x.pci[slot], pl.bus) : x.walk(d, fdBase)
    }
    case Op.Walk:
      return x.walk(d, fdBase)
  }
}

/**
 * A module's option list written once, with holes for what differs from device to device. It is
 * the same list as a `Switch` (`itemsOf` gives one device's), and the profile still decides every
 * role; but for the command line each (dialect, transport) is compiled once, when the module is
 * loaded: the items between two holes are spelled then, as one piece of literal text, and so is
 * every hole that allows it (all but `item` and fd numbers: the text around a pair's value, a text
 * hole's string, a placement's bus or device number; both of a `when`), so a device's text is a
 * few concatenations.
 * A template whose head (driver or type) is not fixed is not compiled: its text is the walk of
 * its items. A hole must not name the driver (the items after it are spelled for the driver the
 * head names); a property test holds every compiled text to the walk of the same items.
 *
 * @since 0.3.0
 * @category model
 */
export interface Template<D> {
  readonly flag: string
  readonly parts: ReadonlyArray<Part<D>>
  readonly compiled: Readonly<Record<Dialect, Readonly<Record<Transport, Compiled<D> | undefined>>>>
}

/** Stands for the string of a `text` hole (or a bus or device number) while its role is spelled at compile time. */
const marker = '\u0001'

/** A text spelled with one marker, as the text before and after it; 'as is' when it has no single marker. */
const aroundMarker = (t: string): readonly [string, string] | 'as is' => {
  const [before, after, more] = t.split(marker)
  return before === undefined || after === undefined || more !== undefined ? 'as is' : [before, after]
}

const isFds = (it: Item): boolean => typeof it === 'object' && !Array.isArray(it) && (it as Role).role === 'fds'

const compile = <D>(parts: ReadonlyArray<Part<D>>, dialect: Dialect, transport: Transport): Compiled<D> | undefined => {
  const head = parts[0]
  // the head names the driver, which govmm's rules read: it must be fixed (or a plain pair)
  if (head === undefined || (isHole(head) && head.hole !== 'pair')) return undefined
  const fixed: Where = { transport, fdBase: 0 }
  const pieces: Array<Piece<D>> = []
  // the text of the fixed items since the last hole
  let run: string | undefined
  let drv = ''
  const hole = (x: Piece<D>): void => {
    if (run !== undefined) pieces.push(piece(Op.Text, { text: run }))
    run = undefined
    pieces.push(x)
  }
  parts.forEach((part, i) => {
    // fd numbers depend on the device's place among the passers: spelled per device
    if (!isHole(part) && !isFds(part)) {
      const spelled = spellItem(part, i, dialect, fixed, drv)
      drv = spelled.drv
      if (spelled.text !== undefined) run = run === undefined ? spelled.text : `${run},${spelled.text}`
      return
    }
    const at = drv
    const walk: Filler<D> = (d, fdBase) => spellText(fill(part, d), i, dialect, { transport, fdBase }, at)
    if (!isHole(part)) return hole(piece(Op.Walk, { walk }))
    switch (part.hole) {
      case 'pair':
        return hole(piece(Op.Pair, { get: part.of, text: `${part.key}=` }))
      case 'text': {
        const spelled = spellText(part.item(marker), i, dialect, fixed, at)
        if (spelled === undefined) return // this dialect spells nothing for it
        const cut = aroundMarker(spelled)
        if (cut === 'as is') return hole(piece(Op.Walk, { walk }))
        return hole(piece(Op.Fill, { get: part.of, text: cut[0], after: cut[1] }))
      }
      case 'when': {
        const yes = spellText(part.yes, i, dialect, fixed, at)
        const no = spellText(part.no, i, dialect, fixed, at)
        if (yes === undefined && no === undefined) return
        return hole(piece(Op.Choose, { get: part.test, yes, no }))
      }
      case 'placed': {
        // spelled once per kind of placement (and per PCI slot), with a marker for the bus or
        // device number, which the device's own fills in escaped
        const item = part.item
        const cut = (pl: Placement): Around | 'as is' => {
          const t = spellText(item(pl), i, dialect, fixed, at)
          return t === undefined ? undefined : aroundMarker(t)
        }
        const none = spellText(item({ _tag: 'None' }), i, dialect, fixed, at)
        const ccw = cut({ _tag: 'Ccw', devno: marker })
        const pci = Array.from({ length: pciSlots }, (_, slot) => cut({ _tag: 'Pci', bus: marker, slot }))
        if (none === undefined && ccw === undefined && pci.every((x) => x === undefined)) return
        if (ccw === 'as is' || pci.some((x) => x === 'as is')) return hole(piece(Op.Walk, { walk }))
        return hole(piece(Op.Place, { get: part.of, none, ccw: ccw as Around, pci: pci as ReadonlyArray<Around>, walk }))
      }
      case 'item':
        return hole(piece(Op.Walk, { walk }))
    }
  })
  if (run !== undefined) pieces.push(piece(Op.Text, { text: run }))
  return (d, fdBase, flat) => {
    if (flat) {
      // one flat string for a large command line (see `resolveText`)
      const texts: Array<string> = []
      for (let k = 0; k < pieces.length; k++) {
        const text = textOfPiece(pieces[k] as Piece<D>, d, fdBase)
        if (text !== undefined) texts.push(text)
      }
      return texts.join(',')
    }
    let out: string | undefined
    for (let k = 0; k < pieces.length; k++) {
      const text = textOfPiece(pieces[k] as Piece<D>, d, fdBase)
      if (text !== undefined) out = out === undefined ? text : `${out},${text}`
    }
    return out ?? ''
  }
}

/**
 * A template, compiled for both dialects and both transports.
 *
 * @since 0.3.0
 * @category constructors
 */
export const template = <D>(flag: string, parts: ReadonlyArray<Part<D>>): Template<D> => ({
  flag,
  parts,
  compiled: {
    govmm: { pci: compile(parts, 'govmm', 'pci'), ccw: compile(parts, 'govmm', 'ccw') },
    qemu: { pci: compile(parts, 'qemu', 'pci'), ccw: compile(parts, 'qemu', 'ccw') },
  },
})

/** One device's option list from a template. @since 0.3.0 @category utils */
export const itemsOf = <D>(t: Template<D>, d: D): ReadonlyArray<Item> => t.parts.map((x) => fill(x, d))

/**
 * A switch of one device from a template: its text in a dialect (compiled, or walked when the
 * template is not compiled or `compiled` is false), and its items.
 *
 * @since 0.3.0
 * @category model
 */
export interface Filled {
  readonly flag: string
  readonly items: () => ReadonlyArray<Item>
  readonly text: (dialect: Dialect, w: Where, compiled: boolean, flat?: boolean) => string
}

/** A template's compiled text for a dialect and a transport (named reads: every device's text starts here). */
const compiledFor = <D>(t: Template<D>, dialect: Dialect, transport: Transport): Compiled<D> | undefined => {
  const byTransport = dialect === 'govmm' ? t.compiled.govmm : t.compiled.qemu
  return transport === 'pci' ? byTransport.pci : byTransport.ccw
}

class FilledSwitch<D> implements Filled {
  constructor(
    private readonly t: Template<D>,
    private readonly d: D,
  ) {}
  get flag(): string {
    return this.t.flag
  }
  items(): ReadonlyArray<Item> {
    return itemsOf(this.t, this.d)
  }
  text(dialect: Dialect, w: Where, compiled: boolean, flat = false): string {
    const c = compiled ? compiledFor(this.t, dialect, w.transport) : undefined
    return c !== undefined ? c(this.d, w.fdBase, flat) : resolveText(this.items(), dialect, w, flat)
  }
}

/** A device's switch from a template. @since 0.3.0 @category constructors */
export const filled = <D>(t: Template<D>, d: D): Filled => new FilledSwitch(t, d)
