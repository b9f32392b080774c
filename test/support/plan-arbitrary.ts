/**
 * A small generator of renderable plans straight in the device model (both transports, every
 * device kind, ids unique per QEMU namespace, awkward values with commas and spaces), for the
 * parse/diff laws: it reaches every device kind and awkward value directly, where the public
 * sandbox arbitraries (`qemu-plan/testing`) go through the planner. Not a public API.
 */
import fc from 'fast-check'
import type { Device, Placement } from '../../src/core/devices/index.ts'
import { neutralFacts } from '../../src/core/parse/plan.ts'
import type { Plan } from '../../src/core/vm.ts'

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/)
/** Values that exercise `,,` escaping and spaces. */
const value = fc.oneof(word, fc.constantFrom('a,b', 'x y', 'p=q', ',lead', 'trail,', 'on', 'no'))
const path = fc.tuple(word, value).map(([a, b]) => `/${a}/${b}`)
const mac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((xs) => xs.map((x) => x.toString(16).padStart(2, '0')).join(':'))
const bool = fc.boolean()

interface Shape {
  readonly kind: Device['_tag']
  readonly vhostUser: 'net' | 'scsi' | 'blk' | 'fs'
  readonly a: string
  readonly b: string
  readonly p: string
  readonly mac: string
  readonly flags: readonly [boolean, boolean, boolean]
  readonly n: number
}

const shape: fc.Arbitrary<Shape> = fc.record({
  kind: fc.constantFrom<Device['_tag']>(
    'Bridge',
    'Serial',
    'Char',
    'Block',
    'Scsi',
    'Fs9p',
    'Vsock',
    'Net',
    'VhostUser',
    'Vfio',
    'Nvdimm',
    'Rng',
  ),
  vhostUser: fc.constantFrom('net', 'scsi', 'blk', 'fs'),
  a: value,
  b: value,
  p: path,
  mac,
  flags: fc.tuple(bool, bool, bool),
  n: fc.integer({ min: 0, max: 3 }),
})

const build = (s: Shape, i: number, ccw: boolean): Device | undefined => {
  const id = `d${i}`
  const placement: Placement = ccw
    ? s.flags[2]
      ? { _tag: 'Ccw', devno: `fe.0.${(i + 1).toString(16).padStart(4, '0')}` }
      : { _tag: 'None' }
    : s.flags[2]
      ? { _tag: 'Pci', bus: i % 2 ? 'pcie.0' : 'pci-bridge-x', slot: (i % 29) + 1 }
      : { _tag: 'None' }
  const dm = s.flags[0]
  switch (s.kind) {
    case 'Bridge':
      return ccw
        ? undefined
        : {
            _tag: 'Bridge',
            type: s.flags[0] ? 'pci' : 'pcie',
            bus: 'pcie.0',
            id,
            chassis: s.flags[0] ? i + 1 : 0,
            shpc: s.flags[0] && s.flags[1],
            addr: (i % 29) + 2,
          }
    case 'Serial':
      return { _tag: 'Serial', id, disableModern: dm, placement }
    case 'Char':
      return {
        _tag: 'Char',
        driver: s.flags[0] ? 'virtconsole' : 'virtserialport',
        id,
        chardev: `ch${i}`,
        path: s.p,
        name: s.flags[1] ? s.a : undefined,
      }
    case 'Block':
      return {
        _tag: 'Block',
        id,
        file: s.p,
        format: s.a,
        aio: s.flags[1] ? 'native' : 'threads',
        cache: undefined,
        disableModern: dm,
        shareRW: s.flags[1],
        placement,
      }
    case 'Scsi':
      return { _tag: 'Scsi', id, ioThread: s.flags[1] ? `io${i}` : undefined, disableModern: dm, placement }
    case 'Fs9p':
      return { _tag: 'Fs9p', id, path: s.p, mountTag: s.a, disableModern: dm, placement }
    case 'Vsock':
      return { _tag: 'Vsock', id, contextId: 3 + i * 1000, vhostFd: s.flags[1] ? 40 + i : undefined, disableModern: dm, placement }
    case 'Net':
      return {
        _tag: 'Net',
        type: 'tap',
        id,
        ifName: `tap${i}`,
        mac: s.mac,
        fds: Array.from({ length: s.n }, (_, k) => 50 + k),
        vhostFds: s.flags[1] ? Array.from({ length: s.n }, (_, k) => 60 + k) : [],
        vhost: s.flags[1],
        disableModern: dm,
        placement,
      }
    case 'VhostUser':
      if (ccw) return undefined
      return {
        _tag: 'VhostUser',
        type: s.vhostUser,
        id: `${s.vhostUser}-v${i}`,
        socketPath: s.p,
        chardev: `char-v${i}`,
        mac: s.mac,
        tag: s.a,
        cacheSizeMiB: s.n * 1024,
        placement,
      }
    case 'Vfio':
      return {
        _tag: 'Vfio',
        id: `vfio-${i}`,
        bdf: '02:10.0',
        sysfsdev: undefined,
        vendorId: s.flags[0] ? '0x1234' : undefined,
        deviceId: s.flags[1] ? '0x5678' : undefined,
        placement,
      }
    case 'Nvdimm':
      return { _tag: 'Nvdimm', id: `nv${i}`, memdev: `mem${i}`, memPath: s.p, size: 1 + s.n * 4096, share: false }
    case 'Rng':
      return { _tag: 'Rng', id, filename: s.p, placement }
  }
}

/** Vfio ids the govmm dialect does not print are re-derived as `vfio-<n>`; keep them in that form. */
const renumberVfio = (ds: ReadonlyArray<Device>): ReadonlyArray<Device> => {
  let n = 0
  return ds.map((d) => (d._tag === 'Vfio' ? { ...d, id: `vfio-${n++}` } : d))
}

/** A random plan. */
export const arbitraryPlan: fc.Arbitrary<Plan> = fc
  .record({
    ccw: fc.boolean(),
    shapes: fc.array(shape, { maxLength: 8 }),
    tcg: fc.boolean(),
    sizeMiB: fc.integer({ min: 1, max: 65536 }),
    slots: fc.integer({ min: 0, max: 16 }),
    cpus: fc.integer({ min: 0, max: 8 }),
    knobs: fc.tuple(bool, bool, bool, bool, bool, bool, bool, bool, bool, bool, bool),
    memPath: fc.option(path, { nil: undefined }),
    params: fc.array(fc.stringMatching(/^[a-z][a-z0-9._=,-]{0,12}$/), { maxLength: 6 }),
    initrd: fc.option(path, { nil: undefined }),
    incoming: fc.boolean(),
    name: value,
  })
  .map((g): Plan => {
    const devices = renumberVfio(g.shapes.flatMap((s, i) => build(s, i, g.ccw) ?? []))
    const k = g.knobs
    const host = {
      memoryMiB: 32000,
      nested: false,
      qemuVersion: undefined,
      gicVersion: undefined,
      accelerator: g.tcg ? 'tcg' : 'kvm',
    } as const
    return {
      arch: g.ccw ? 's390x' : 'amd64',
      transport: g.ccw ? 'ccw' : 'pci',
      binary: g.ccw
        ? { govmm: '/usr/bin/qemu-system-s390x', qemu: '/usr/bin/qemu-system-s390x' }
        : { govmm: '/usr/bin/qemu-system-x86_64', qemu: '/usr/bin/qemu-system-x86_64' },
      qemuRefusal: undefined,
      facts: neutralFacts(g.ccw ? 'ccw' : 'pci', !g.ccw),
      hotplugged: { cpus: [], dimms: [], scsiIndex: 0 },
      name: `sandbox-${g.name}`,
      uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
      machine: g.ccw
        ? { type: 's390-ccw-virtio', options: [['accel', 'kvm']] }
        : {
            type: 'q35',
            options: [
              ['accel', 'kvm'],
              ['kernel_irqchip', undefined],
              ['nvdimm', undefined],
            ],
          },
      cpuModel: k[0] ? 'host,pmu=off' : 'host',
      qmpPath: `/run/vc/vm/${g.name}/qmp.sock`,
      memory: { sizeMiB: g.sizeMiB, slots: g.slots, maxMemMiB: g.sizeMiB + 1024 },
      dimmSupported: !g.ccw,
      devices,
      knobs: {
        noUserConfig: k[1],
        noDefaults: k[2],
        noGraphic: k[3],
        daemonize: k[4],
        hugePages: k[5],
        memPrealloc: k[6],
        fileBackedMem: k[7],
        memShared: k[8],
        memPath: g.memPath,
        realtime: k[9],
        mlock: k[10],
        stopped: k[0] && k[9],
      },
      kernel: {
        path: '/boot/vmlinuz',
        initrd: g.initrd,
        params: g.params.map((p) => ({ key: p.split('=')[0] ?? p, value: p.includes('=') ? p.slice(p.indexOf('=') + 1) : '' })),
      },
      bios: k[5] ? '/usr/share/bios.bin' : undefined,
      incoming: g.incoming ? 'defer' : undefined,
      pidFile: '/run/pid',
      logFile: k[6] ? '/run/qemu.log' : undefined,
      smp: { cpus: g.cpus, cores: 1, threads: 1, sockets: 8, maxCpus: g.cpus === 0 ? 0 : 8 },
      state: {
        machineType: g.ccw ? 's390-ccw-virtio' : 'q35',
        memoryOffsetMiB: 0,
        nested: false,
        vhost: false,
        image: false,
        vmFactory: false,
        host,
        bridges: [],
        rootSlots: undefined,
        kernelParams: [],
        kernelParamsDebug: [],
        kernelParamsNonDebug: [],
      },
      capabilities: { blockDeviceHotplug: true, multiQueue: true, fsSharing: true },
      hotplugConfig: { blockDeviceDriver: 'virtio-scsi', blockDeviceCache: undefined, hotplugVfioOnRootBus: false },
      warnings: [],
    }
  })
