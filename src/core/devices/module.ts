/**
 * What every device module provides. A module is the one place that knows its QEMU device: its
 * model, how the planner builds it and which ids it claims, its option list (rendered by the
 * dialect profiles), its hot-plug QMP steps, how `parse` reads it back, and what `check`,
 * `topology` and `diff` need from it. The registry (`registry.ts`) holds one module per
 * `Device['_tag']` and is checked against this interface, so a missing piece is a type error.
 *
 * @since 0.3.0
 */
import type * as t from 'io-ts'
import type { Action, FdSource } from '../qmp/action.ts'
import type { Reader } from '../parse/reader.ts'
import type { Placement, Transport } from './placement.ts'
import type { Switch } from './profile.ts'
import type { Filled } from './template.ts'
import type { Backend, BackendOf } from './backends/index.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** QEMU's id namespaces: one per option kind. @since 0.3.0 @category model */
export type Namespace = 'device' | 'chardev' | 'drive' | 'object' | 'fsdev' | 'netdev'

/** An id a device takes in a namespace. @since 0.3.0 @category model */
export type Claim = readonly [Namespace, string]

/** Why govmm's `Valid()` would drop a device (and the qemu dialect refuses it). @since 0.3.0 @category model */
export interface Problem {
  readonly field: string
  readonly reason: string
}

/** A device's switches in argv order, and the host fds it passes (the i-th gets fd base + i). @since 0.3.0 @category model */
export interface Rendering {
  /** A switch as its option list, or from its module's template. */
  readonly switches: ReadonlyArray<Switch | Filled>
  readonly fds: ReadonlyArray<FdSource>
}

/** One property set of the diff view, keyed by name. @since 0.3.0 @category model */
export type Props = Readonly<Record<string, string>>

/** What `parse` gives a device reader. @since 0.3.0 @category model */
export interface ParseContext {
  readonly transport: Transport
  /** The backend `ns:id` if it is one of `kinds` (and marks it used); otherwise a problem is recorded. */
  readonly use: <K extends Backend['_tag']>(r: Reader, id: string, ns: Namespace, kinds: ReadonlyArray<K>) => BackendOf<K> | undefined
  /** How many devices of this tag were read before this one. */
  readonly count: (tag: string) => number
}

/** Hot-plug over QMP: the steps that add a planned device, and the backend removal after `DEVICE_DELETED`. @since 0.3.0 @category model */
export interface Hotplug<D> {
  readonly add: (d: D, transport: Transport) => ReadonlyArray<Action>
  readonly removeBackend: (d: D) => ReadonlyArray<Action>
}

/**
 * A device module. `R` is what its reader can give back: its own device, or (for a driver two
 * modules share, such as `virtio-net-pci` on a vhost-user netdev) another one.
 *
 * @since 0.3.0
 * @category model
 */
export interface DeviceModule<D, R = D> {
  /** Decodes the model (a plan read back from disk). */
  readonly codec: t.Decoder<unknown, D>
  /** Drivers and object types the module can emit, on any transport and in any dialect (capability probes). */
  readonly vocabulary: { readonly drivers: ReadonlyArray<string>; readonly objects: ReadonlyArray<string> }
  /** A PCI or CCW device: without a placement, QEMU picks its slot (others sit on no such bus). */
  readonly onBus: boolean
  readonly placement: (d: D) => Placement
  /** The ids it takes, in command-line order (a duplicate is the first one already taken). */
  readonly claims: (d: D) => ReadonlyArray<Claim>
  /** The input it comes from: a configuration key or a sandbox device kind. */
  readonly source: (d: D) => string
  /** Why govmm would drop it, if it would. */
  readonly problem: (d: D) => Problem | undefined
  readonly render: (d: D) => Rendering
  /** Reading it back from a `-device`: which drivers are its, and the reader. */
  readonly parse: {
    readonly drivers: (driver: string) => boolean
    readonly read: (r: Reader, c: ParseContext, driver: string) => R | undefined
  }
  /** `undefined` for devices that are only ever cold-plugged. */
  readonly hotplug: Hotplug<D> | undefined
  /** Its kind as `topology` prints it (`pci-bridge`, `vhost-user-blk`, `Block` …). */
  readonly kind: (d: D) => string
  /** Its kind, placement and properties as `diff` compares them. */
  readonly view: (d: D) => { readonly kind: string; readonly placement: string | undefined; readonly props: Props }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Props for the diff view: `undefined` dropped, booleans `on`/`off`. @since 0.3.0 @category utils */
export const props = (r: Readonly<Record<string, string | number | boolean | undefined>>): Props => {
  const out: Record<string, string> = {}
  // for…in over the record's own keys (no entry pairs per device: a diff views every device)
  for (const k in r) {
    if (!Object.hasOwn(r, k)) continue
    const v = r[k]
    if (v !== undefined) out[k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)
  }
  return out
}

/** A rendering without fds. @since 0.3.0 @category constructors */
export const switches = (...s: ReadonlyArray<Switch | Filled>): Rendering => ({ switches: s, fds: none })

const none: ReadonlyArray<FdSource> = []
