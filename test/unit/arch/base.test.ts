import * as S from '../../../src/core/slots.ts'
import { uniqueDevices as checkDuplicates, draftDevices as listOf, emptyDraft as noDevices } from '../../../src/arch/draft.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
/** The base record: constants, construction, defaults arches override, late binding through self(), push and placement. */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { spec as amd64Spec } from '../../../src/arch/amd64.ts'
import { baseArch, bridgePCIStartAddr, genericMemoryTopology, newState } from '../../../src/arch/base.ts'
import { firstDuplicate, placed, push } from '../../../src/arch/draft.ts'
import { claimsOf } from '../../../src/core/devices/registry.ts'
import type { Device } from '../../../src/core/devices/model.ts'
import fc from 'fast-check'
import {
  kernelParamsDebug,
  kernelParamsNonDebug,
  kernelParamsSystemdDebug,
  kernelParamsSystemdNonDebug,
} from '../../../src/arch/kernel-params.ts'
import { freeRootSlot } from '../../../src/arch/root-bus.ts'
import { tapType as netType } from '../../../src/core/devices/virtio-net.ts'
import type { ArchSpec, Draft, QemuArch } from '../../../src/arch/types.ts'
import { serializeParams } from '../../../src/core/kernel.ts'
import { config, sandbox, unsafeLeft, unsafeRight } from '../../support/amd64-fixtures.ts'

// A made-up arch on the base record: one machine, a root bus with slot 0 reserved, PCI bridges.
const testSpec: ArchSpec = {
  ...amd64Spec,
  arch: 'arm64',
  defaultMachine: 'm',
  machines: [{ type: 'm', options: [['accel', 'kvm']] }],
  nvdimmOnImage: false,
  qemuPaths: { m: '/bin/q' },
  rootBus: { m: { bus: 'root.0', reserved: [0], bridgeType: 'pci', hotplug: true } },
  kernelRootParams: [{ key: 'root', value: '/dev/vda1' }],
}
const base: QemuArch = baseArch(() => base, testSpec)
const empty = (): Draft => noDevices(base.bridges(1)(newState(base, config(), sandbox())))

describe('constants (Kata qemu_arch_base.go)', () => {
  it('debug and systemd parameter lists', () => {
    expect(serializeParams(kernelParamsNonDebug)).toEqual(['quiet'])
    expect(serializeParams(kernelParamsDebug)).toEqual(['debug'])
    expect(serializeParams(kernelParamsSystemdNonDebug)).toEqual(['systemd.show_status=false'])
    expect(serializeParams(kernelParamsSystemdDebug)).toEqual(['systemd.show_status=true', 'systemd.log_level=debug'])
  })
  it('first bridge at slot 2', () => expect(bridgePCIStartAddr).toBe(2))
})

describe('newState', () => {
  it('copies config and host facts, applies handleImagePath, starts with no bridges', () => {
    const s = newState(base, config({ memory_offset: 7 }), sandbox({ host: { memoryMiB: 99, nested: true, accelerator: 'tcg' } }))
    expect(s).toMatchObject({
      machineType: 'm',
      memoryOffsetMiB: 7,
      nested: false,
      vhost: false,
      image: true,
      vmFactory: false,
      bridges: [],
      rootSlots: undefined,
    })
    expect(s.host).toEqual({ memoryMiB: 99, nested: true, qemuVersion: undefined, gicVersion: undefined, accelerator: 'tcg' })
    expect(serializeParams(s.kernelParams).slice(-1)).toEqual(['root=/dev/vda1'])
  })
  it('takes the configured machine type', () => expect(newState(base, config({ machine_type: 'q35' }), sandbox()).machineType).toBe('q35'))
})

describe('base defaults that arches override', () => {
  it('memoryTopology ignores the offset (maxmem = host)', () => {
    expect(base.memoryTopology(1024, 4096, 4)(newState(base, config({ memory_offset: 512 }), sandbox()))).toEqual({
      sizeMiB: 1024,
      slots: 4,
      maxMemMiB: 4096,
    })
  })
  it('cpuModel is host even nested', () => expect(base.cpuModel(base.enableNestingChecks(empty().state))).toBe('host'))
  it('capabilities: block hotplug and multi-queue', () =>
    expect(base.capabilities(empty().state)).toEqual({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true }))
  it('machine does not add nvdimm when the spec says not to', () =>
    expect(unsafeRight(base.machine(empty().state)).options).toEqual([['accel', 'kvm']]))
  it('appendImage is a virtio-blk drive image-<16 hex>, raw', () => {
    const d = unsafeRight(base.appendImage({ path: '/img', sizeBytes: 1, randomHex: '0123456789abcdef' })(empty()))
    expect(listOf(d)).toEqual([
      {
        _tag: 'Block',
        id: 'image-0123456789abcdef',
        file: '/img',
        format: 'raw',
        aio: 'threads',
        disableModern: false,
        shareRW: false,
        placement: { _tag: 'Pci', bus: 'root.0', slot: 1 },
      },
    ])
  })
})

describe('late binding through self()', () => {
  it('an overridden appendBlockDevice changes the base appendImage', () => {
    const custom: QemuArch = {
      ...baseArch(() => custom, testSpec),
      appendBlockDevice: (b) =>
        push({
          _tag: 'Block',
          id: `custom-${b.id}`,
          file: b.file,
          format: b.format,
          aio: 'native',
          cache: undefined,
          disableModern: false,
          shareRW: true,
          placement: { _tag: 'None' },
        }),
    }
    const d = unsafeRight(custom.appendImage({ path: '/img', sizeBytes: 1, randomHex: 'ab' })(empty()))
    expect(listOf(d)[0]).toMatchObject({ id: 'custom-image-ab', aio: 'native', shareRW: true })
  })
  it('an overridden placeDevice changes where the base appendConsole puts serial0', () => {
    const custom: QemuArch = {
      ...baseArch(() => custom, testSpec),
      placeDevice: (key) => (s) => E.right([s, { _tag: 'Ccw', devno: 'fe.0.0001', key }] as const),
    }
    expect(listOf(unsafeRight(custom.appendConsole('/c')(empty())))[0]).toMatchObject({
      placement: { _tag: 'Ccw', devno: 'fe.0.0001', key: 'serial0' },
    })
  })
  it('an overridden addDeviceToBridge is what placeDevice spills with', () => {
    const custom: QemuArch = {
      ...baseArch(() => custom, {
        ...testSpec,
        rootBus: { m: { bus: 'root.0', reserved: Array.from({ length: 32 }, (_, i) => i), bridgeType: 'pci', hotplug: true } },
      }),
      addDeviceToBridge: () => () => E.left({ _tag: 'NoBridges' }),
    }
    expect(unsafeLeft(custom.placeDevice('x')(empty().state))).toEqual({ _tag: 'NoBusSlot', bus: 'root.0 and its bridges', device: 'x' })
  })
})

describe('push', () => {
  // a drive on no bus: its ids are the drive's and the device's namespaces, nothing else
  const unplacedDisk = (id: string) =>
    ({
      _tag: 'Block',
      id,
      file: '/d',
      format: 'raw',
      aio: 'threads',
      cache: undefined,
      disableModern: false,
      shareRW: false,
      placement: { _tag: 'None' },
    }) as const
  const rng = { _tag: 'Rng', id: 'rng0', filename: '/dev/urandom', placement: { _tag: 'None' } } as const
  it('appends', () => expect(listOf(unsafeRight(push(rng)(empty())))).toEqual([rng]))
  it('refuses an id already used in the same namespace, naming the input field', () => {
    const d = unsafeRight(push(rng)(empty()))
    expect(unsafeLeft(E.flatMap(checkDuplicates)(push({ ...rng, filename: '/x' })(d)))).toEqual({
      _tag: 'DuplicateId',
      id: 'rng0',
      field: 'entropy_source',
    })
    const blk = unplacedDisk('rng0')
    expect(unsafeLeft(E.flatMap(checkDuplicates)(push(blk)(d)))).toMatchObject({ _tag: 'DuplicateId', id: 'rng0' })
  })
  it('finds the first repeat in a namespace as a set per namespace does, over any list', () => {
    // the reference: a set per namespace, every claim in order
    const reference = (list: ReadonlyArray<Device>): string | undefined => {
      const seen = new Map<string, Set<string>>()
      for (const d of list)
        for (const [ns, id] of claimsOf(d)) {
          const ids = seen.get(ns) ?? new Set<string>()
          if (ids.has(id)) return id
          seen.set(ns, ids.add(id))
        }
      return undefined
    }
    const id = fc.constantFrom('a', 'b', 'rng0')
    const device = fc.oneof(
      id.map((x): Device => unplacedDisk(x)),
      id.map((x): Device => ({ ...rng, id: x })),
    )
    fc.assert(
      fc.property(fc.array(device, { maxLength: 8 }), (list) => {
        expect(firstDuplicate(list)?.id).toBe(reference(list))
      }),
      { numRuns: 500 },
    )
  })
  it('allows the same string in different namespaces (a drive and a chardev)', () => {
    const blk = unplacedDisk('x')
    const d = unsafeRight(push(blk)(empty()))
    // a socket whose chardev is named like the drive: different QEMU namespaces
    expect(
      E.isRight(
        E.flatMap(checkDuplicates)(push({ _tag: 'Char', driver: 'virtserialport', id: 'port', chardev: 'x', path: '/s', name: 'n' })(d)),
      ),
    ).toBe(true)
  })
})

describe('placed', () => {
  it('places first, then pushes with the placement', () => {
    const d = unsafeRight(
      placed(
        () => base,
        'rng0',
        (placement) => ({ _tag: 'Rng', id: 'rng0', filename: '/r', placement }),
      )(empty()),
    )
    expect(listOf(d)[0]).toMatchObject({ placement: { _tag: 'Pci', bus: 'root.0', slot: 1 } })
    expect(rootSlotsOf(d.state)).toEqual({ 1: 'rng0' })
  })
  it('fails when the pushed id is taken', () => {
    const once = unsafeRight(
      placed(
        () => base,
        'rng0',
        (placement) => ({ _tag: 'Rng', id: 'rng0', filename: '/r', placement }),
      )(empty()),
    )
    expect(
      E.isLeft(
        E.flatMap(checkDuplicates)(
          placed(
            () => base,
            'rng0',
            (placement) => ({ _tag: 'Rng', id: 'rng0', filename: '/r', placement }),
          )(once),
        ),
      ),
    ).toBe(true)
  })
})

describe('freeRootSlot / genericMemoryTopology / netType', () => {
  it('freeRootSlot skips reserved and used slots', () => {
    const rb = { bus: 'pci.0', reserved: [0, 1], bridgeType: undefined, hotplug: true }
    expect(freeRootSlot(rb, undefined)).toBe(2)
    expect(
      freeRootSlot(
        rb,
        S.fromEntries(0, [
          [2, 'a'],
          [4, 'b'],
        ]),
      ),
    ).toBe(3)
    expect(
      freeRootSlot(
        rb,
        S.fromEntries(
          0,
          Array.from({ length: 32 }, (_, i) => [i, 'x'] as const),
        ),
      ),
    ).toBeUndefined()
  })
  it('genericMemoryTopology adds 1024 MiB of NVDIMM headroom and the offset', () => {
    expect(genericMemoryTopology(2048, 32000, 10, 0)).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 33024 })
    expect(genericMemoryTopology(2048, 32000, 10, 976)).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 34000 })
  })
  it('netType maps endpoint and model (Kata networkModelToQemuType)', () => {
    const n = (endpoint: 'veth' | 'ipvlan' | 'macvtap', model?: 'bridged' | 'enlightened') =>
      netType({ endpoint, model, tapName: 't', mac: '02:00:00:00:00:00' })
    expect(n('veth')).toEqual(E.right('tap'))
    expect(n('veth', 'bridged')).toEqual(E.right('macvtap'))
    expect(n('ipvlan', 'bridged')).toEqual(E.right('tap'))
    expect(n('macvtap')).toEqual(E.right('macvtap'))
    expect(E.isLeft(n('veth', 'enlightened'))).toBe(true)
  })
})
