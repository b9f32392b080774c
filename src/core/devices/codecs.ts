/**
 * io-ts pieces the device modules' codecs share: placement, passed fds, cache options, and the
 * optional value. The codecs decode a plan read back from disk (the hot-plug state file), so a
 * hand-edited or damaged file is a typed error naming the field, never a plan that lies.
 *
 * @since 0.3.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'

/** A value or nothing (a key JSON dropped). @since 0.3.0 @category codecs */
export const optional = <C extends t.Mixed>(c: C) => t.union([c, t.undefined])

/** A PCI slot (0..31). @since 0.3.0 @category codecs */
export const PciSlot = t.refinement(UInt, (n) => n <= 31, 'PCI slot (0..31)')

/** A CCW device number `cssid.ssid.devno` (`fe.0.0001`). @since 0.3.0 @category codecs */
export const Devno = t.refinement(t.string, (s) => /^[0-9a-f]{1,2}\.[0-3]\.[0-9a-f]{4}$/.test(s), 'CCW device number (fe.0.0001)')

/** @since 0.3.0 @category codecs */
export const PlacementCodec = t.union([
  t.type({ _tag: t.literal('Pci'), bus: Text, slot: PciSlot }),
  t.type({ _tag: t.literal('Ccw'), devno: Devno }),
  t.type({ _tag: t.literal('None') }),
])

/** A host fd, or a tap to open a queue of. @since 0.3.0 @category codecs */
export const FdSourceCodec = t.union([t.refinement(UInt, (n) => n <= 65535, 'fd (0..65535)'), t.type({ tap: Text })])

/** @since 0.3.0 @category codecs */
export const CacheCodec = t.type({ direct: t.boolean, noFlush: t.boolean })
