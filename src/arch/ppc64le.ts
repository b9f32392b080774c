/**
 * ppc64le (Kata's `qemuPPC64le`, `virtcontainers/qemu_ppc64le.go`): machine `pseries` with Kata's spectre caps, PCI
 * bridges on `pci.0`, the rootfs image as a virtio-blk disk, no root kernel parameters, and maxmem
 * aligned to 256 MiB — or Kata's stale 32256 MiB when the QEMU version is unknown.
 *
 * @since 0.1.0
 */
import { parseParams } from '../core/kernel.ts'
import { baseArch, genericMemoryTopology } from './base.ts'
import type { ArchSpec, HostFacts, QemuArch } from './types.ts'

/** `defaultMemMaxPPC64le`, "32 GB". @since 0.1.0 @category model */
export const defaultMemMaxPPC64le = 32256

/** maxmem before headroom: the host's memory cut to 256 MiB on QEMU ≥ 2.10, else 32256. @since 0.1.0 @category utils */
export const ppcMaxMemBase = (h: HostFacts): number => {
  const v = h.qemuVersion
  return v !== undefined && (v.major > 2 || (v.major === 2 && v.minor >= 10)) ? h.memoryMiB - (h.memoryMiB % 256) : defaultMemMaxPPC64le
}

/** @since 0.1.0 @category model */
export const spec: ArchSpec = {
  arch: 'ppc64le',
  defaultMachine: 'pseries',
  machines: [
    {
      type: 'pseries',
      options: [
        ['accel', 'kvm'],
        ['usb', 'off'],
        ['cap-cfpc', 'broken'],
        ['cap-sbbc', 'broken'],
        ['cap-ibs', 'broken'],
      ],
    },
  ],
  nvdimmOnImage: false,
  qemuPaths: { pseries: '/usr/bin/qemu-system-ppc64le' },
  // QEMU ships qemu-system-ppc64 only (it runs little-endian guests too)
  qemuBinary: '/usr/bin/qemu-system-ppc64',
  qemuRefuses: {},
  transport: 'pci',
  // the spapr PHB's root bus has no reserved slot (slot 0 takes devices; checked on QEMU 7.2)
  rootBus: { pseries: { bus: 'pci.0', reserved: [], bridgeType: 'pci', hotplug: true } },
  kernelParams: parseParams(
    'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 noreplace-smp reboot=k console=hvc0 console=hvc1 cryptomgr.notests net.ifnames=0',
  ),
  kernelRootParams: [],
  detectsNesting: false,
  maxVCpus: () => 128,
  migrationWaitTimeoutMs: 5000,
  kvmPit: false,
  // pseries refuses a maxmem that is not a multiple of 256 MiB
  maxMemAlignMiB: 256,
  memoryNeedsFirmware: false,
  cpuHotplug: true,
  unplugIsSurprise: false,
}

/**
 * @see kata-containers/runtime virtcontainers/qemu_ppc64le.go qemuPPC64le
 * @since 0.1.0
 * @category constructors
 */
export const ppc64le: QemuArch = {
  ...baseArch(() => ppc64le, spec),
  capabilities: (s) => ({ blockDeviceHotplug: s.machineType === 'pseries', multiQueue: true, fsSharing: true }),
  cpuModel: (s) => `host${s.nested ? ',pmu=off' : ''}`,
  memoryTopology: (memoryMiB, hostMiB, slots) => (s) =>
    genericMemoryTopology(memoryMiB, ppcMaxMemBase({ ...s.host, memoryMiB: hostMiB }), slots, s.memoryOffsetMiB),
}
