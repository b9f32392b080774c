/**
 * arm64 (Kata's `qemuArm64`, `virtcontainers/qemu_arm64.go`): machine `virt` with the host's GIC version, PCIe bridges
 * (`pcie-pci-bridge`), an NVDIMM rootfs without DAX, maxmem = host memory (no NVDIMM headroom, no
 * `memory_offset`), and no `x-ignore-shared` (Kata skips it on arm64).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { parseParams } from '../core/kernel.ts'
import { baseArch, nvdimmImage } from './base.ts'
import type { ArchSpec, HostFacts, QemuArch } from './types.ts'

/** Kata's gic-version: v2 → 2, v3/v4 → 3, unknown → host. @since 0.1.0 @category utils */
export const gicVersion = (h: HostFacts): string => (h.gicVersion === 2 ? '2' : h.gicVersion === undefined ? 'host' : '3')

/** @since 0.1.0 @category model */
export const spec: ArchSpec = {
  arch: 'arm64',
  defaultMachine: 'virt',
  machines: [
    {
      type: 'virt',
      options: [
        ['usb', 'off'],
        ['accel', 'kvm'],
        ['gic-version', 'host'],
      ],
    },
  ],
  nvdimmOnImage: true,
  qemuPaths: { virt: '/usr/bin/qemu-system-aarch64' },
  qemuBinary: '/usr/bin/qemu-system-aarch64',
  qemuRefuses: {},
  transport: 'pci',
  // slot 0 of the GPEX root bus is the host bridge
  rootBus: { virt: { bus: 'pcie.0', reserved: [0], bridgeType: 'pcie', hotplug: false } },
  kernelParams: parseParams('console=hvc0 console=hvc1 iommu.passthrough=0'),
  // the NVDIMM root without DAX
  kernelRootParams: [
    { key: 'root', value: '/dev/pmem0p1' },
    { key: 'rootflags', value: 'data=ordered,errors=remount-ro ro' },
    { key: 'rootfstype', value: 'ext4' },
  ],
  detectsNesting: false,
  // GICv2 → 8, GICv3/v4 → 123; Kata used the host CPU count when unknown, which the host facts do
  // not carry: we take GICv3's 123 (what QEMU's virt supports with gic-version=3)
  maxVCpus: (h) => (h.gicVersion === 2 ? 8 : 123),
  migrationWaitTimeoutMs: 10_000,
  kvmPit: false,
  maxMemAlignMiB: 1,
  // virt creates the ACPI GED memory devices need only when firmware is loaded
  memoryNeedsFirmware: true,
  // QEMU 7.2's virt has no vCPU hot-plug (query-hotpluggable-cpus is not enabled there)
  cpuHotplug: false,
  // Debian's (and most) arm64 kernels have no driver for the pcie-pci-bridge's SHPC: an unplug is a
  // surprise removal, and the guest keeps the gone device in its slot
  unplugIsSurprise: true,
}

/**
 * @see kata-containers/runtime virtcontainers/qemu_arm64.go qemuArm64
 * @since 0.1.0
 * @category constructors
 */
export const arm64: QemuArch = {
  ...baseArch(() => arm64, spec),
  machine: (s) =>
    pipe(
      baseArch(() => arm64, spec).machine(s),
      E.map((m) => ({
        ...m,
        options: m.options.map(([k, v]) => (k === 'gic-version' ? ([k, gicVersion(s.host)] as const) : ([k, v] as const))),
      })),
    ),
  appendImage: nvdimmImage,
  setIgnoreSharedMemoryMigrationCaps: () => [],
}
