/**
 * The device registry: one module per `Device['_tag']`, checked against `DeviceModule`, and the
 * functions the rest of qemu-plan reaches devices through. Adding a device is one module and one
 * line here.
 *
 * @since 0.3.0
 */
import * as t from 'io-ts'
import type { Device, DeviceOf } from './model.ts'
import type { Claim, DeviceModule, Problem, Props, Rendering } from './module.ts'
import * as Nvdimm from './nvdimm.ts'
import * as PciBridge from './pci-bridge.ts'
import type { Placement } from './placement.ts'
import * as ScsiHd from './scsi-hd.ts'
import * as Vfio from './vfio.ts'
import * as VhostUser from './vhost-user.ts'
import * as VhostVsock from './vhost-vsock.ts'
import * as Virtio9p from './virtio-9p.ts'
import * as VirtioBlk from './virtio-blk.ts'
import * as VirtioNet from './virtio-net.ts'
import * as VirtioRng from './virtio-rng.ts'
import * as VirtioScsi from './virtio-scsi.ts'
import * as VirtioSerial from './virtio-serial.ts'
import * as Virtserialport from './virtserialport.ts'

/** @since 0.3.0 @category model */
export const registry = {
  Bridge: PciBridge.module,
  Serial: VirtioSerial.module,
  Char: Virtserialport.module,
  Block: VirtioBlk.module,
  Scsi: VirtioScsi.module,
  ScsiDisk: ScsiHd.module,
  Fs9p: Virtio9p.module,
  Vsock: VhostVsock.module,
  Net: VirtioNet.module,
  VhostUser: VhostUser.module,
  Vfio: Vfio.module,
  Nvdimm: Nvdimm.module,
  Rng: VirtioRng.module,
} as const satisfies { readonly [K in Device['_tag']]: DeviceModule<DeviceOf<K>, Device> }

/** Every module, for the questions asked of all of them (which reads a driver, what they emit). */
const modules: ReadonlyArray<Pick<DeviceModule<never, Device>, 'vocabulary' | 'parse'>> = Object.values(registry)

/** The module of a device. @since 0.3.0 @category utils */
export const moduleOf = <D extends Device>(d: D): DeviceModule<D> => registry[d._tag] as unknown as DeviceModule<D>

/** A PCI or CCW device (QEMU places it when the plan does not). @since 0.3.0 @category utils */
export const onBus = (d: Device): boolean => moduleOf(d).onBus
/** @since 0.3.0 @category utils */
export const placementOf = (d: Device): Placement => moduleOf(d).placement(d)
/** @since 0.3.0 @category utils */
export const claimsOf = (d: Device): ReadonlyArray<Claim> => moduleOf(d).claims(d)
/** @since 0.3.0 @category utils */
export const sourceOf = (d: Device): string => moduleOf(d).source(d)
/** @since 0.3.0 @category utils */
export const problemOf = (d: Device): Problem | undefined => moduleOf(d).problem(d)
/** @since 0.3.0 @category render */
export const renderingOf = (d: Device): Rendering => moduleOf(d).render(d)
/** @since 0.3.0 @category utils */
export const kindOf = (d: Device): string => moduleOf(d).kind(d)
/** @since 0.3.0 @category utils */
export const viewOf = (d: Device): { readonly kind: string; readonly placement: string | undefined; readonly props: Props } =>
  moduleOf(d).view(d)

/** Every driver and object type any device can emit (what a capability probe records). @since 0.3.0 @category utils */
export const vocabulary: { readonly drivers: ReadonlyArray<string>; readonly objects: ReadonlyArray<string> } = (() => {
  const mods = modules
  return {
    drivers: [...new Set(mods.flatMap((m) => m.vocabulary.drivers))],
    objects: [...new Set(mods.flatMap((m) => m.vocabulary.objects))],
  }
})()

/**
 * The codec of every device, dispatched on `_tag` to its module's codec, so a problem names the
 * device's own field (a union would report every member's complaint).
 *
 * @since 0.3.0
 * @category codecs
 */
export const deviceCodec = new t.Type<Device, Device, unknown>(
  'Device',
  (u): u is Device => typeof u === 'object' && u !== null && Object.hasOwn(registry, (u as { _tag?: unknown })._tag as string),
  (u, c) => {
    const tag = typeof u === 'object' && u !== null ? (u as { _tag?: unknown })._tag : undefined
    if (typeof tag !== 'string' || !Object.hasOwn(registry, tag))
      return t.failure(u, c, `a device (_tag: ${Object.keys(registry).join(' | ')})`)
    return (registry[tag as Device['_tag']].codec as t.Decoder<unknown, Device>).validate(u, c)
  },
  t.identity,
)

const searchReader = (driver: string): DeviceModule<never, Device>['parse'] | undefined => {
  for (const m of modules) if (m.parse.drivers(driver)) return m.parse
  return undefined
}

/** The readers of the vocabulary's drivers, looked up once: a large command line repeats a few drivers. */
const readers: ReadonlyMap<string, DeviceModule<never, Device>['parse']> = new Map(
  modules.flatMap((m) =>
    m.vocabulary.drivers.flatMap((d) => {
      const p = searchReader(d)
      return p === undefined ? [] : [[d, p] as const]
    }),
  ),
)

/** The module that reads a `-device` of this driver back, if any. @since 0.3.0 @category utils */
export const readerOf = (driver: string): DeviceModule<never, Device>['parse'] | undefined => readers.get(driver) ?? searchReader(driver)
