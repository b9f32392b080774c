/** Bridges and their slot allocator, one Left per error (Kata types/bridges.go, qemuArchBase.addDeviceToBridge). */
import { slotsOf } from '../../support/bridges.ts'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../../support/freeze.ts'
import {
  addDeviceToBridge,
  addressFormatCCW,
  addressFormatCCWForVirtServer,
  formatSlot,
  makeBridges,
  maxCapacity,
  newBridge,
  pciPath,
  removeDeviceFromBridge,
  devicesOf,
  type Bridge,
} from '../../../src/core/bridges.ts'
import { unsafeLeft, unsafeRight } from '../../support/amd64-fixtures.ts'

const fullRecord = (n: number): Record<number, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, `d${i + 1}`]))
const full = (b: Bridge): Bridge => newBridge(b.type, b.id, b.addr, fullRecord(b.maxCapacity))

describe('newBridge / makeBridges', () => {
  it('gives PCI and PCIe 30 slots and CCW 0xffff (types.NewBridge)', () => {
    expect(newBridge('pci', 'b').maxCapacity).toBe(30)
    expect(newBridge('pcie', 'b').maxCapacity).toBe(30)
    expect(newBridge('ccw', 'b').maxCapacity).toBe(0xffff)
    expect(maxCapacity).toEqual({ pci: 30, pcie: 30, ccw: 65535 })
  })
  it('starts with no devices at addr 0', () => {
    expect(newBridge('pci', 'x')).toEqual({ type: 'pci', id: 'x', addr: 0, slots: undefined, maxCapacity: 30 })
    expect(devicesOf(newBridge('pci', 'x'))).toEqual({})
  })
  it('names bridges <type>-bridge-<i>', () => {
    expect(makeBridges('pci', 3).map((b) => b.id)).toEqual(['pci-bridge-0', 'pci-bridge-1', 'pci-bridge-2'])
    expect(makeBridges('pcie', 1).map((b) => b.id)).toEqual(['pcie-bridge-0'])
    expect(makeBridges('ccw', 1).map((b) => b.id)).toEqual(['ccw-bridge-0'])
    expect(makeBridges('pci', 0)).toEqual([])
  })
})

describe('formatSlot', () => {
  it('is %02x for PCI/PCIe and %04x for CCW', () => {
    expect(formatSlot('pci', 1)).toBe('01')
    expect(formatSlot('pcie', 30)).toBe('1e')
    expect(formatSlot('ccw', 10)).toBe('000a')
    expect(formatSlot('ccw', 0xffff)).toBe('ffff')
  })
})

describe('addDeviceToBridge', () => {
  it('fails with NoBridges when there are no bridges at all', () => {
    expect(unsafeLeft(addDeviceToBridge('d', 'pci')([]))).toEqual({ _tag: 'NoBridges' })
  })
  it('takes slot 1 first, formatted %02x', () => {
    const r = unsafeRight(addDeviceToBridge('disk', 'pci')(makeBridges('pci', 1)))
    expect(r.slot).toBe(1)
    expect(r.addr).toBe('01')
    expect(r.bridge.id).toBe('pci-bridge-0')
    expect(slotsOf(r.bridges[0])).toEqual({ 1: 'disk' })
  })
  it('takes the lowest free slot, reusing a freed one', () => {
    expect(unsafeRight(addDeviceToBridge('x', 'pci')([newBridge('pci', 'b', 0, { 1: 'a', 3: 'c' })])).slot).toBe(2)
  })
  it('hands out slot 30 as 1e, then fails with NoBridgeSlot', () => {
    const devices = fullRecord(30)
    delete devices[30]
    const r = unsafeRight(addDeviceToBridge('x', 'pci')([newBridge('pci', 'b', 0, devices)]))
    expect(r.addr).toBe('1e')
    expect(unsafeLeft(addDeviceToBridge('y', 'pci')(r.bridges))).toEqual({ _tag: 'NoBridgeSlot', bridgeType: 'pci', available: ['pci'] })
  })
  it('skips bridges of another type and full bridges', () => {
    const bs = [newBridge('pcie', 'e0'), full(newBridge('pci', 'p0')), newBridge('pci', 'p1')]
    const r = unsafeRight(addDeviceToBridge('x', 'pci')(bs))
    expect(r.bridge.id).toBe('p1')
    expect(r.bridges[0]).toBe(bs[0])
    expect(r.bridges[1]).toBe(bs[1])
  })
  it('reports the bridge types present when none of the asked type exists (PCIe-only virt, from genericBridges)', () => {
    expect(unsafeLeft(addDeviceToBridge('x', 'pci')(makeBridges('pcie', 2)))).toEqual({
      _tag: 'NoBridgeSlot',
      bridgeType: 'pci',
      available: ['pcie'],
    })
  })
  it('formats CCW slots %04x', () => {
    const r = unsafeRight(addDeviceToBridge('serial0', 'ccw')(makeBridges('ccw', 1)))
    expect(r.addr).toBe('0001')
  })
  it('never touches its input', () => {
    const bs = deepFreeze([newBridge('pci', 'b', 0, { 1: 'a', 3: 'c' }), newBridge('ccw', 'c', 0, { 1: 'a', 40000: 'z' })])
    const r = unsafeRight(addDeviceToBridge('x', 'pci')(bs))
    const c = unsafeRight(addDeviceToBridge('y', 'ccw')(bs))
    const gone = unsafeRight(removeDeviceFromBridge('z')(bs))
    expect(bs.map(slotsOf)).toEqual([
      { 1: 'a', 3: 'c' },
      { 1: 'a', 40000: 'z' },
    ])
    expect(r.bridges).not.toBe(bs)
    expect([slotsOf(r.bridges[0]), slotsOf(c.bridges[1]), slotsOf(gone[1])]).toEqual([
      { 1: 'a', 2: 'x', 3: 'c' },
      { 1: 'a', 2: 'y', 40000: 'z' },
      { 1: 'a' },
    ])
  })
  it('lets the same id take two slots, as types.Bridge.AddDevice does', () => {
    const r1 = unsafeRight(addDeviceToBridge('x', 'pci')(makeBridges('pci', 1)))
    const r2 = unsafeRight(addDeviceToBridge('x', 'pci')(r1.bridges))
    expect(r2.slot).toBe(2)
  })
})

describe('data-first and data-last forms', () => {
  it('give equal results, Right or Left', () => {
    const bs = [newBridge('pcie', 'e0'), full(newBridge('pci', 'p0')), newBridge('pci', 'p1', 3, { 1: 'a' })]
    for (const type of ['pci', 'pcie', 'ccw'] as const) expect(addDeviceToBridge(bs, 'x', type)).toEqual(addDeviceToBridge('x', type)(bs))
    for (const id of ['a', 'd7', 'nope']) expect(removeDeviceFromBridge(bs, id)).toEqual(removeDeviceFromBridge(id)(bs))
    expect(addDeviceToBridge([], 'x', 'pci')).toEqual(E.left({ _tag: 'NoBridges' }))
  })
})

describe('removeDeviceFromBridge', () => {
  it('frees the slot so it is handed out again', () => {
    const r = unsafeRight(addDeviceToBridge('x', 'pci')(makeBridges('pci', 1)))
    const after = unsafeRight(removeDeviceFromBridge('x')(r.bridges))
    expect(slotsOf(after[0])).toEqual({})
    expect(unsafeRight(addDeviceToBridge('y', 'pci')(after)).slot).toBe(1)
  })
  it('looks on bridges of every type, first match wins', () => {
    const bs: ReadonlyArray<Bridge> = [newBridge('pcie', 'e', 0, { 4: 'x' }), newBridge('pci', 'p', 0, { 1: 'x' })]
    const after = unsafeRight(removeDeviceFromBridge('x')(bs))
    expect(slotsOf(after[0])).toEqual({})
    expect(slotsOf(after[1])).toEqual({ 1: 'x' })
  })
  it('fails with DeviceNotOnBridge when no bridge has the device', () => {
    expect(unsafeLeft(removeDeviceFromBridge('x')(makeBridges('pci', 2)))).toEqual({ _tag: 'DeviceNotOnBridge', id: 'x' })
  })
  it('fails with DeviceNotOnBridge when there are no bridges (Kata qemuArchBase.removeDeviceFromBridge returned nil)', () => {
    expect(E.isLeft(removeDeviceFromBridge('x')([]))).toBe(true)
  })
})

describe('addressFormatCCW / addressFormatCCWForVirtServer / pciPath', () => {
  const ccw = { ...newBridge('ccw', 'ccw-bridge-0'), addr: 0 }
  it('formats fe.<addr %x>.<slot> and 0.<addr %x>.<slot> on CCW bridges', () => {
    expect(unsafeRight(addressFormatCCW(ccw, '0001'))).toBe('fe.0.0001')
    expect(unsafeRight(addressFormatCCW({ ...ccw, addr: 26 }, '000a'))).toBe('fe.1a.000a')
    expect(unsafeRight(addressFormatCCWForVirtServer(ccw, '0002'))).toBe('0.0.0002')
  })
  it('fails with WrongBridgeType on a PCI bridge', () => {
    const pci = newBridge('pci', 'pci-bridge-0')
    const err = { _tag: 'WrongBridgeType', expected: 'ccw', actual: 'pci', bridge: 'pci-bridge-0' }
    expect(unsafeLeft(addressFormatCCW(pci, '0001'))).toEqual(err)
    expect(unsafeLeft(addressFormatCCWForVirtServer(pci, '0001'))).toEqual(err)
  })
  it('builds the guest PCI path <bridge addr %02x>/<slot %02x>', () => {
    expect(pciPath({ ...newBridge('pci', 'b'), addr: 2 }, 1)).toBe('02/01')
    expect(pciPath({ ...newBridge('pci', 'b'), addr: 6 }, 30)).toBe('06/1e')
  })
})
