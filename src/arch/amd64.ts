/**
 * amd64 (Kata's `qemuAmd64`, `virtcontainers/qemu_amd64.go`): machines `pc` (default), `q35`, `pc-lite`, `virt`; NVDIMM
 * rootfs image; nesting-aware CPU model; maxmem with the NVDIMM headroom and `memory_offset`.
 *
 * @since 0.1.0
 */
import { parseParams } from '../core/kernel.ts'
import { baseArch, genericMemoryTopology, nvdimmImage } from './base.ts'
import type { ArchSpec, MachineOpt, QemuArch } from './types.ts'

const kvm: ReadonlyArray<MachineOpt> = [
  ['accel', 'kvm'],
  ['kernel_irqchip', undefined],
]

/** @since 0.1.0 @category model */
export const spec: ArchSpec = {
  arch: 'amd64',
  defaultMachine: 'pc',
  machines: ['pc-lite', 'pc', 'q35', 'virt'].map((type) => ({ type, options: kvm })),
  nvdimmOnImage: true,
  qemuPaths: { 'pc-lite': '/usr/bin/qemu-lite-system-x86_64', pc: '/usr/bin/qemu-system-x86_64', q35: '/usr/bin/qemu-system-x86_64' },
  qemuBinary: '/usr/bin/qemu-system-x86_64',
  qemuRefuses: {
    'pc-lite': 'machine pc-lite (qemu-lite is not part of QEMU 7.2; use pc or q35)',
    virt: 'machine virt on x86_64 (QEMU 7.2 has no such machine; use q35)',
  },
  transport: 'pci',
  rootBus: {
    // slot 0 host bridge, slot 1 PIIX3 (ISA/IDE/ACPI); q35: slot 0 host bridge, slot 0x1f ICH9 LPC/SATA/SMBus
    pc: { bus: 'pci.0', reserved: [0, 1], bridgeType: 'pci', hotplug: true },
    // devices cannot be hot-plugged onto q35's pcie.0 itself, only behind a bridge or root port
    q35: { bus: 'pcie.0', reserved: [0, 0x1f], bridgeType: 'pci', hotplug: false },
    'pc-lite': { bus: 'pci.0', reserved: [0, 1], bridgeType: undefined, hotplug: true },
    virt: { bus: 'pcie.0', reserved: [0], bridgeType: 'pcie', hotplug: false },
  },
  kernelParams: parseParams(
    'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 ' +
      'noreplace-smp reboot=k console=hvc0 console=hvc1 iommu=off cryptomgr.notests net.ifnames=0 pci=lastbus=0',
  ),
  // commonNvdimmKernelRootParams; the rootflags value holds a space on purpose (it yields a separate `ro`)
  kernelRootParams: [
    { key: 'root', value: '/dev/pmem0p1' },
    { key: 'rootflags', value: 'dax,data=ordered,errors=remount-ro ro' },
    { key: 'rootfstype', value: 'ext4' },
  ],
  detectsNesting: true,
  maxVCpus: () => 240,
  migrationWaitTimeoutMs: 5000,
  kvmPit: true,
  maxMemAlignMiB: 1,
  memoryNeedsFirmware: false,
  cpuHotplug: true,
  unplugIsSurprise: false,
}

/**
 * @see kata-containers/runtime virtcontainers/qemu_amd64.go qemuAmd64
 * @since 0.1.0
 * @category constructors
 */
export const amd64: QemuArch = {
  ...baseArch(() => amd64, spec),
  capabilities: (s) => ({ blockDeviceHotplug: ['pc', 'q35', 'virt'].includes(s.machineType), multiQueue: true, fsSharing: true }),
  cpuModel: (s) => `host${s.nested ? ',pmu=off' : ''}${s.vmFactory ? ',vmx=off' : ''}`,
  memoryTopology: (memoryMiB, hostMiB, slots) => (s) => genericMemoryTopology(memoryMiB, hostMiB, slots, s.memoryOffsetMiB),
  appendImage: nvdimmImage,
}
