/**
 * fast-check arbitraries for qemu-plan inputs, per arch — the `qemu-plan/testing` entry point
 * (fast-check is an optional peer dependency: install it to use this one).
 * They produce JSON documents exactly as users write them (a `[hypervisor.qemu]` table and a
 * sandbox), so a property test can feed them through the same decoders the CLI uses.
 *
 * @example
 * import fc from 'fast-check'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { arbitraryScenario } from 'qemu-plan/testing'
 * import { decodeConfig, decodeSandbox, planSandbox, render, seededIds } from 'qemu-plan'
 *
 * // every generated document decodes; planning and rendering never throw (a refusal is a Left)
 * fc.assert(fc.property(arbitraryScenario('s390x'), (s) => {
 *   const c = decodeConfig(s.config), b = decodeSandbox(s.sandbox)
 *   if (E.isLeft(c) || E.isLeft(b)) return false
 *   const p = planSandbox(c.right.value, b.right.value, { imageSizeBytes: s.imageSizeBytes }, seededIds(1))
 *   if (E.isRight(p)) render(p.right, 'govmm')
 *   return true
 * }), { numRuns: 20 })
 *
 * @since 0.1.0
 */
import fc from 'fast-check'

export type Arch = 'amd64' | 'arm64' | 'ppc64le' | 's390x'
export const allArches: ReadonlyArray<Arch> = ['amd64', 'arm64', 'ppc64le', 's390x']

const machines: Readonly<Record<Arch, ReadonlyArray<string>>> = {
  amd64: ['pc', 'q35', 'q35', 'pc-lite', 'virt'],
  arm64: ['virt'],
  ppc64le: ['pseries'],
  s390x: ['s390-ccw-virtio'],
}

const hex16 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0'))
const mac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((b) => b.map((x, i) => (i === 0 ? x & 0xfe : x).toString(16).padStart(2, '0')).join(':'))
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/)
/** Paths sometimes hold a comma, which QEMU needs doubled. */
const path = fc.tuple(word, word, fc.boolean()).map(([a, b, comma]) => `/var/lib/${a}/${b}${comma ? ',x' : ''}.img`)

/** A `[hypervisor.qemu]` table for `arch`, wrapped as TOML parses it. */
export const arbitraryConfig = (arch: Arch): fc.Arbitrary<{ hypervisor: { qemu: Record<string, unknown> } }> =>
  fc
    .record(
      {
        boot: fc.constantFrom('image', 'initrd'),
        machine_type: fc.constantFrom(...machines[arch]),
        default_vcpus: fc.integer({ min: -1, max: 8 }),
        default_maxvcpus: fc.integer({ min: 0, max: 16 }),
        default_memory: fc.constantFrom(0, 512, 1024, 2048, 4096),
        memory_slots: fc.integer({ min: 0, max: 20 }),
        memory_offset: fc.constantFrom(0, 100, 256, 1024),
        default_bridges: fc.integer({ min: 0, max: 7 }),
        disable_vhost_net: fc.boolean(),
        disable_nesting_checks: fc.boolean(),
        block_device_driver: fc.constantFrom('virtio-scsi', 'virtio-blk'),
        enable_iothreads: fc.boolean(),
        use_vsock: fc.boolean(),
        enable_debug: fc.boolean(),
        enable_swap: fc.boolean(),
        enable_hugepages: fc.boolean(),
        shared_fs: fc.constantFrom('virtio-9p', 'virtio-9p', 'virtio-fs'),
        machine_accelerators: fc.constantFrom('', 'dump-guest-core=off'),
        firmware: fc.constantFrom('', '/usr/share/firmware/fw.bin'),
        kernel_params: fc.constantFrom('', 'agent.log=debug', 'quiet console=ttyS0'),
        path: fc.constantFrom(undefined, '/opt/qemu/bin/qemu'),
      },
      { requiredKeys: ['boot', 'machine_type'] },
    )
    .map(({ boot, path: p, ...rest }) => {
      const q: Record<string, unknown> = { kernel: '/usr/share/kata-containers/vmlinuz.container', ...rest }
      // katautils refuses virtio-fs without a daemon path
      if (rest.shared_fs === 'virtio-fs') q.virtio_fs_daemon = '/usr/libexec/kata-containers/virtiofsd'
      if (boot === 'image') q.image = '/usr/share/kata-containers/kata-containers.img'
      else q.initrd = '/usr/share/kata-containers/kata-containers-initrd.img'
      if (p !== undefined) q.path = p
      return { hypervisor: { qemu: q } }
    })

const device = (i: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('vsock'),
      contextId: fc.oneof(fc.integer({ min: 3, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 })),
      vhostFd: fc.constant(40 + i),
    }),
    fc.record({
      kind: fc.constant('volume'),
      mountTag: fc.oneof(fc.constant(`share${i}`), fc.constant(`a-very-long-mount-tag-number-${i}`)),
      hostPath: path,
    }),
    fc.record({
      kind: fc.constant('socket'),
      id: fc.constant(`charch${i}`),
      deviceId: fc.constant(`channel${i}`),
      hostPath: fc.constant(`/run/vc/sock${i}`),
      name: fc.constant(`agent.channel.${i}`),
    }),
    fc.record({
      kind: fc.constant('network'),
      endpoint: fc.constantFrom('veth', 'bridgedmacvlan', 'ipvlan', 'tuntap', 'macvtap'),
      tapName: fc.constant(`tap${i}_kata`),
      mac,
      model: fc.constantFrom('default', 'tcfilter', 'bridged', 'macvtap', 'enlightened'),
      fds: fc.constantFrom([], [50 + 4 * i], [50 + 4 * i, 51 + 4 * i]),
      vhostFds: fc.constantFrom([], [52 + 4 * i]),
    }),
    fc.record({
      kind: fc.constant('block'),
      id: fc.oneof(fc.constant(`drive-${i}`), fc.constant(`drive-with-a-long-name-over-31-bytes-${i}`)),
      file: path,
      format: fc.constantFrom('raw', 'qcow2'),
      shareRW: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('vhostUser'),
      type: fc.constantFrom('net', 'scsi', 'blk', 'fs'),
      devId: hex16,
      socketPath: fc.constant(`/run/vhu/${i}.sock`),
      mac,
      tag: fc.constant(`tag${i}`),
    }),
    fc.record({
      kind: fc.constant('vfio'),
      bdf: fc.constant(`0${i % 10}:1${i % 8}.0`),
      vendorId: fc.constant('0x1af4'),
      deviceId: fc.constant('0x1041'),
    }),
  )

/** A sandbox document for `arch` with up to `maxDevices` devices of every kind. */
export const arbitrarySandbox = (arch: Arch, maxDevices = 8): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      id: fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/),
      uuid: fc.uuid(),
      daemonize: fc.boolean(),
      host: fc.record(
        {
          memoryMiB: fc.integer({ min: 1024, max: 262_144 }),
          nested: fc.boolean(),
          accelerator: fc.constantFrom('kvm', 'tcg'),
          qemuVersion: fc.record({ major: fc.integer({ min: 2, max: 9 }), minor: fc.integer({ min: 0, max: 12 }) }),
          gicVersion: fc.constantFrom(2, 3, 4),
        },
        { requiredKeys: ['memoryMiB', 'nested'] },
      ),
      count: fc.integer({ min: 0, max: maxDevices }),
    })
    .chain(({ count, ...s }) => fc.tuple(...Array.from({ length: count }, (_, i) => device(i))).map((devices) => ({ arch, ...s, devices })))

/** A whole scenario: configuration, sandbox, and the resolved image size. */
export const arbitraryScenario = (arch: Arch): fc.Arbitrary<{ config: unknown; sandbox: unknown; imageSizeBytes: number }> =>
  fc.record({
    config: arbitraryConfig(arch),
    sandbox: arbitrarySandbox(arch),
    imageSizeBytes: fc.constantFrom(0, 134_217_728, 268_566_528),
  })
