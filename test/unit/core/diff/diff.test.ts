import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { diffArgv, formatDiff, isEmpty, type Diff } from '../../../../src/core/diff/index.ts'

const base = [
  '-name',
  'n',
  '-uuid',
  'u',
  '-machine',
  'q35,accel=kvm,kernel_irqchip',
  '-cpu',
  'host',
  '-qmp',
  'unix:/q,server,nowait',
  '-m',
  '1G,slots=2,maxmem=4G',
  '-vga',
  'none',
  '-kernel',
  '/k',
  '-append',
  'a=1 b c=3',
  '-pidfile',
  '/p',
]
const d = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): Diff => {
  const r = diffArgv(a, b)
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}
const swap = (xs: ReadonlyArray<string>, from: string, to: string): ReadonlyArray<string> => xs.map((w) => (w === from ? to : w))

describe('diff', () => {
  it('folds spellings QEMU treats alike', () => {
    expect(
      isEmpty(
        d(
          base,
          swap(
            swap(base, 'q35,accel=kvm,kernel_irqchip', 'q35,kernel_irqchip=yes,accel=kvm'),
            '1G,slots=2,maxmem=4G',
            '1024M,maxmem=4096M,slots=2',
          ),
        ),
      ),
    ).toBe(true)
    expect(isEmpty(d([...base, '-realtime', 'mlock=off'], [...base, '-overcommit', 'mem-lock=off']))).toBe(true)
    const scsi = ['-device', 'virtio-scsi-pci,id=scsi0,iothread=a']
    expect(isEmpty(d([...base, ...scsi, '-object', 'iothread,id=a'], [...base, '-object', 'iothread,id=a', ...scsi]))).toBe(true)
    // an I/O thread no device uses is not in the device model
    expect(diffArgv(base, [...base, '-object', 'iothread,id=b'])).toMatchObject({
      left: { _tag: 'ParseError', reason: expect.stringMatching(/not used by any device/) },
    })
  })
  it('reports machine, memory and kernel parameter changes', () => {
    const x = d(
      base,
      swap(
        swap(swap(base, 'q35,accel=kvm,kernel_irqchip', 'q35,accel=kvm'), '1G,slots=2,maxmem=4G', '1G,slots=4,maxmem=4G'),
        'a=1 b c=3',
        'b a=1 c=3',
      ),
    )
    expect(x.machine).toEqual([{ key: 'kernel_irqchip', from: 'on', to: undefined }])
    expect(x.memory).toEqual([{ key: 'slots', from: '2', to: '4' }])
    expect(x.kernelParams).toEqual({ added: [], removed: [], reordered: true })
    expect(formatDiff(x)).toContain('  - kernel_irqchip=on\n')
  })
  it('matches devices by id, then by placement, and reports moves', () => {
    const rng = (id: string, addr: string): ReadonlyArray<string> => [
      '-object',
      `rng-random,id=${id},filename=/dev/urandom`,
      '-device',
      `virtio-rng-pci,rng=${id},id=${id},bus=pcie.0,addr=${addr}`,
    ]
    expect(d([...base, ...rng('r', '0x3')], [...base, ...rng('r', '0x4')]).devices.changed).toEqual([
      { id: 'r', kind: 'Rng', renamedFrom: undefined, moved: { from: 'pcie.0:0x3', to: 'pcie.0:0x4' }, changes: [] },
    ])
    expect(d([...base, ...rng('r', '0x3')], [...base, ...rng('s', '0x3')]).devices.changed).toEqual([
      { id: 's', kind: 'Rng', renamedFrom: 'r', moved: undefined, changes: [] },
    ])
    const x = d([...base, ...rng('r', '0x3')], [...base, ...rng('s', '0x4')])
    expect([x.devices.added.map((v) => v.id), x.devices.removed.map((v) => v.id)]).toEqual([['s'], ['r']])
  })
  it('reports the order of QEMU-placed devices, not of placed ones', () => {
    const rng = (id: string, at: string): ReadonlyArray<string> => [
      '-object',
      `rng-random,id=${id},filename=/f`,
      '-device',
      `virtio-rng-pci,rng=${id},id=${id}${at}`,
    ]
    expect(
      isEmpty(
        d(
          [...base, ...rng('a', ',bus=pci.0,addr=3'), ...rng('b', ',bus=pci.0,addr=4')],
          [...base, ...rng('b', ',bus=pci.0,addr=4'), ...rng('a', ',bus=pci.0,addr=3')],
        ),
      ),
    ).toBe(true)
    expect(d([...base, ...rng('a', ''), ...rng('b', '')], [...base, ...rng('b', ''), ...rng('a', '')]).devices.reordered).toEqual({
      from: ['a', 'b'],
      to: ['b', 'a'],
    })
  })
  it('is a ParseError when a side does not parse', () => {
    expect(diffArgv(base, [...base, '-snapshot'])).toMatchObject({ left: { _tag: 'ParseError', position: base.length } })
  })
})
