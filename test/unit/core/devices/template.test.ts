/**
 * Templates: the text compiled once per dialect and transport is the walk of the same items, for
 * every kind of hole, values that need escaping, holes that spell nothing, fd numbers, and every
 * kind of placement; a template without a fixed head is not compiled and still reads right.
 */
import { describe, expect, it } from 'vitest'
import {
  devno,
  disableModern,
  driver,
  fds,
  place,
  qemuId,
  resolveText,
  romfile,
  type Dialect,
  type Where,
} from '../../../../src/core/devices/profile.ts'
import { devnoOf, filled, itemOf, itemsOf, pairOf, placeOf, template, textOf, when } from '../../../../src/core/devices/template.ts'
import type { Placement, Transport } from '../../../../src/core/devices/placement.ts'

interface Dev {
  readonly id: string
  readonly file: string | undefined
  readonly on: boolean
  readonly placement: Placement
  readonly queues: number
}

const every = template<Dev>('-device', [
  driver('virtio-net', { keyed: true }),
  when((d) => d.on, disableModern(true, 'govmm'), disableModern(false, 'govmm')),
  pairOf('file', (d) => d.file),
  ['fixed', 'a,b'],
  textOf(qemuId, (d) => d.id),
  when((d) => d.on, ['share-rw', true], ['share-rw', undefined]),
  romfile,
  itemOf((d) => devno(d.placement)),
  fds('fds', 0, 2),
  itemOf((d) => fds('vhostfds', 2, d.queues)),
  itemOf((d) => place(d.placement)),
  devnoOf(),
  placeOf(),
])

const devices: ReadonlyArray<Dev> = [
  { id: 'net0', file: '/a', on: false, placement: { _tag: 'Pci', bus: 'pci.0', slot: 3 }, queues: 0 },
  { id: 'x,y,,z', file: 'p,q', on: true, placement: { _tag: 'Ccw', devno: 'fe.0.0001' }, queues: 2 },
  { id: '', file: undefined, on: true, placement: { _tag: 'None' }, queues: 1 },
  // a bus that needs escaping, and a slot beyond the compiled table of 32
  { id: 'n3', file: '/c', on: false, placement: { _tag: 'Pci', bus: 'pcie,0', slot: 40 }, queues: 0 },
  { id: 'n4', file: '/d', on: true, placement: { _tag: 'Pci', bus: 'pci.1', slot: 31 }, queues: 3 },
  // a bus and a device number that need escaping, read from the compiled tables
  { id: 'n5', file: '/e', on: false, placement: { _tag: 'Pci', bus: 'pcie,1', slot: 5 }, queues: 0 },
  { id: 'n6', file: '/f', on: true, placement: { _tag: 'Ccw', devno: 'fe,0.0002' }, queues: 1 },
]

describe('template', () => {
  for (const dialect of ['govmm', 'qemu'] as const satisfies ReadonlyArray<Dialect>)
    for (const transport of ['pci', 'ccw'] as const satisfies ReadonlyArray<Transport>)
      it(`compiled text is the walk of the items (${dialect}, ${transport})`, () => {
        expect(every.compiled[dialect][transport]).toBeDefined()
        for (const d of devices)
          for (const fdBase of [0, 7]) {
            const w: Where = { transport, fdBase }
            const walked = resolveText(itemsOf(every, d), dialect, w)
            expect(filled(every, d).text(dialect, w, true)).toBe(walked)
            expect(filled(every, d).text(dialect, w, true, true)).toBe(walked)
            expect(filled(every, d).text(dialect, w, false)).toBe(walked)
          }
      })

  it('escapes what a text hole fills in', () => {
    const d = devices[1] as Dev
    expect(filled(every, d).text('qemu', { transport: 'pci', fdBase: 0 }, true)).toContain('id=x,,y,,,,z')
  })

  it('is not compiled when its head is a hole, and reads the same', () => {
    const t = template<Dev>('-device', [itemOf((d) => (d.on ? 'a' : 'b')), pairOf('id', (d) => d.id)])
    expect(t.compiled.qemu.pci).toBeUndefined()
    const d = devices[0] as Dev
    expect(filled(t, d).text('qemu', { transport: 'pci', fdBase: 0 }, true)).toBe('b,id=net0')
  })
})
