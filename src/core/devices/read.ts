/**
 * Reading helpers the device modules share for `parse`: placement from `bus=`/`addr=` or
 * `devno=`, the `disable-modern=`/`romfile=` pair every virtio PCI device may carry, and the
 * checks that keep a parsed device within what the renderer prints back.
 *
 * @since 0.3.0
 */
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import { parseUInt, type Reader } from '../parse/reader.ts'
import type { Placement, Transport } from './placement.ts'

/** Placement from `devno=`, or `bus=` + `addr=` (hex, `0x` optional), or none. @since 0.3.0 @category parse */
export const readPlacement = (r: Reader): Placement => {
  const devno = r.str('devno')
  const bus = r.str('bus')
  const addr = r.str('addr')
  if (devno !== undefined && devno !== '') {
    if (!/^[0-9a-f]{1,2}\.[0-3]\.[0-9a-f]{4}$/.test(devno)) r.fail(`devno=${devno} is not a CCW device number (fe.0.0001)`)
    if (bus !== undefined || addr !== undefined) r.fail('devno= with bus= or addr= is not in the device model')
    return { _tag: 'Ccw', devno }
  }
  if (bus === undefined && addr === undefined) return { _tag: 'None' }
  if (bus === undefined || addr === undefined) r.fail('bus= and addr= go together in the device model')
  const slot = parseUInt(addr ?? '0', 16)
  if (slot === undefined || slot > 31) r.fail(`addr=${addr} is not a PCI slot (0x0..0x1f, no function)`)
  return { _tag: 'Pci', bus: bus ?? '', slot: slot ?? 0 }
}

/** `disable-modern=` and the empty `romfile=` every virtio PCI device may carry. @since 0.3.0 @category parse */
export const readVirtio = (r: Reader): boolean => {
  r.fixed('romfile', [''])
  return r.bool('disable-modern') ?? false
}

/** A property the device model always has off. @since 0.3.0 @category parse */
export const off = (r: Reader, key: string): void => {
  if (r.bool(key) !== false) r.fail(`property ${key}: the device model always has ${key}=off`)
}

/** A device named after its backend: an `id=` must be the backend's. @since 0.3.0 @category parse */
export const sameId = (r: Reader, id: string): void => {
  const own = r.str('id')
  if (own !== undefined && own !== id) r.fail(`id=${own}: the device model names this device after its backend (${id})`)
}

/** The `<prefix>-<dev>` id of a vhost-user device from its `char-<dev>` chardev, the way Kata made them. @since 0.3.0 @category parse */
export const derivedId = (prefix: string, chardev: string): string =>
  truncateBytes(`${prefix}-${chardev.startsWith('char-') ? chardev.slice(5) : chardev}`, maxDevIdSize)

/** The driver of a virtio family on either transport (and, with `alias`, govmm's bare name). @since 0.3.0 @category parse */
export const isFamily = (family: string, alias = false): ((driver: string) => boolean) => {
  const pci = `${family}-pci`
  const ccw = `${family}-ccw`
  return (driver) => driver === pci || driver === ccw || (alias && driver === family)
}

/** A transport-specific driver must be the machine's transport. @since 0.3.0 @category parse */
export const sameTransport = (r: Reader, driver: string, t: Transport): void => {
  if ((driver.endsWith('-pci') || driver.endsWith('-ccw')) && !driver.endsWith(`-${t}`))
    r.fail(`driver ${driver} does not match the machine's ${t} transport`)
}
