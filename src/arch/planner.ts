/**
 * The sandbox planner: what Kata's `qemu.setup`, `createSandbox` + `buildDevices` and one
 * `addDevice` per sandbox device do (`virtcontainers/qemu.go`), as one pure function of the
 * resolved inputs. Ids the original drew at random come from the injected `IdSource`; the image
 * size comes from the effects layer's `stat`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidConfig, type CoreError, type InvalidConfig } from '../core/errors.ts'
import type { IdSource } from '../core/ids.ts'
import type { HypervisorConfig } from '../core/input/config.ts'
import { vcpuPlan } from '../core/input/katautils.ts'
import type { Sandbox, SandboxDevice } from '../core/input/sandbox.ts'
import { param, type Param } from '../core/kernel.ts'
import { memoryBackendPath, missingBackendWarning, preflight } from '../core/preflight.ts'
import { checkHotplug } from '../core/topology.ts'
import type { Device } from '../core/devices/model.ts'
import type { ArchState, Knobs, Plan } from '../core/vm.ts'
import { newState } from './base.ts'
import { emptyDraft, steps, uniqueDevices } from './draft.ts'
import { arches, machineFacts } from './index.ts'
import type { Draft, ImageInput, MachineOpt, QemuArch, Step } from './types.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Facts the effects layer resolved before planning. @since 0.1.0 @category model */
export interface Resolved {
  /** Size in bytes of `config.image`, from a real `stat`. */
  readonly imageSizeBytes?: number | undefined
  /** Whether the file-backed memory location (`file_mem_backend`, or `/dev/shm` for virtio-fs) exists; unchecked when absent. */
  readonly memoryBackendExists?: boolean | undefined
}

// -------------------------------------------------------------------------------------
// the steps
// -------------------------------------------------------------------------------------

/** `newQemuArch` and `qemu.setup`: nesting, vhost-net and the bridges. */
const setup = (arch: QemuArch, config: HypervisorConfig, sandbox: Sandbox): ArchState => {
  let state = newState(arch, config, sandbox)
  if (!config.disableNestingChecks && arch.spec.detectsNesting && sandbox.host.nested) state = arch.enableNestingChecks(state)
  if (!config.disableVhostNet) state = arch.enableVhostNet(state)
  return arch.bridges(config.defaultBridges)(state)
}

/**
 * vCPUs and their maximum as katautils' `defaultVCPUs`/`defaultMaxVCPUs` decide them against the
 * host's CPUs; a count above the maximum is left for govmm to refuse (at render).
 */
const vcpus = (arch: QemuArch, config: HypervisorConfig, sandbox: Sandbox, state: ArchState) =>
  vcpuPlan(config, sandbox.arch, sandbox.host, arch.spec.maxVCpus(state.host))

/** The rootfs image, when there is one (an initrd boot has none). An NVDIMM image has fixed ids: Kata drew random bytes only for a disk image. */
const rootfs = (
  arch: QemuArch,
  config: HypervisorConfig,
  resolved: Resolved,
  ids: IdSource,
): E.Either<InvalidConfig, ImageInput | undefined> => {
  if (config.image === undefined || config.initrd !== undefined) return E.right(undefined)
  if (resolved.imageSizeBytes === undefined)
    return E.left(invalidConfig({ field: 'hypervisor.qemu.image', reason: 'the image size was not resolved (stat the image first)' }))
  return E.right({ path: config.image, sizeBytes: resolved.imageSizeBytes, randomHex: arch.spec.nvdimmOnImage ? '' : ids.hex16('image') })
}

/** `machine_accelerators` appended to the machine options (`qemu.getQemuMachine`). @since 0.1.0 @category planning */
export const withAccelerators = (options: ReadonlyArray<MachineOpt>, accel: string | undefined): ReadonlyArray<MachineOpt> =>
  accel === undefined
    ? options
    : [
        ...options,
        ...accel
          .replace(/^,/, '')
          .split(',')
          .filter((x) => x !== '')
          .map((x): MachineOpt => {
            const eq = x.indexOf('=')
            return eq < 0 ? [x, undefined] : [x.slice(0, eq), x.slice(eq + 1)]
          }),
      ]

/** govmm's knobs and memory backend: templating and virtio-fs/file-backed memory, which exclude each other. */
const knobsFor = (config: HypervisorConfig, sandbox: Sandbox, resolved: Resolved): E.Either<InvalidConfig, Knobs> => {
  const t = sandbox.template
  const templating = t !== undefined && (t.bootToBeTemplate || t.bootFromTemplate)
  const sharedFile = config.sharedFs === 'virtio-fs' || config.fileMemBackend !== undefined
  if (templating && sharedFile)
    return E.left(
      invalidConfig({
        field: config.sharedFs === 'virtio-fs' ? 'hypervisor.qemu.shared_fs' : 'hypervisor.qemu.file_mem_backend',
        reason: 'VM templating has been enabled with either virtio-fs or file backed memory and this configuration will not work',
      }),
    )
  const base: Knobs = {
    noUserConfig: true,
    noDefaults: true,
    noGraphic: true,
    daemonize: sandbox.daemonize,
    hugePages: config.hugePages,
    memPrealloc: config.memPrealloc,
    fileBackedMem: false,
    memShared: false,
    memPath: undefined,
    realtime: false,
    mlock: config.mlock,
    stopped: false,
  }
  if (templating) return E.right({ ...base, fileBackedMem: true, memShared: t.bootToBeTemplate, memPath: t.memoryPath })
  // Kata's setupFileBackedMem plans no file-backed memory when the location does not exist
  if (sharedFile && resolved.memoryBackendExists === false) return E.right({ ...base, memPrealloc: base.memPrealloc || config.hugePages })
  if (sharedFile)
    return E.right({
      ...base,
      fileBackedMem: true,
      memShared: true,
      memPath: config.fileMemBackend ?? '/dev/shm',
      memPrealloc: base.memPrealloc || config.hugePages,
    })
  return E.right(base)
}

/** `buildDevices`: bridges, console, image, SCSI controller, RNG — in Kata's order. */
const builtIn = (
  arch: QemuArch,
  config: HypervisorConfig,
  sandbox: Sandbox,
  image: ImageInput | undefined,
  ids: IdSource,
): ReadonlyArray<Step> => [
  arch.appendBridges,
  arch.appendConsole(sandbox.consolePath ?? `${runDir(sandbox)}/console.sock`),
  ...(image !== undefined ? [arch.appendImage(image)] : []),
  ...(config.blockDeviceDriver === 'virtio-scsi'
    ? [arch.appendSCSIController(config.enableIothreads ? ids.hex16('iothread') : undefined)]
    : []),
  arch.appendRNGDevice({ id: 'rng0', filename: config.entropySource }),
]

/** `addDevice` for one sandbox device. */
const addDevice =
  (arch: QemuArch, config: HypervisorConfig, sandbox: Sandbox, ids: IdSource) =>
  (dev: SandboxDevice, index: number): Step => {
    switch (dev.kind) {
      case 'vsock':
        return arch.appendVSock(dev)
      case 'volume':
        // with virtio-fs, a volume is a vhost-user-fs device on virtiofsd's socket
        return config.sharedFs === 'virtio-fs'
          ? arch.appendVhostUserDevice({
              type: 'fs',
              devId: ids.hex16(`virtio-fs-${index}`),
              socketPath: `${runDir(sandbox)}/vhost-fs.sock`,
              tag: dev.mountTag,
              cacheSize: config.virtioFsCacheSizeMiB,
            })
          : arch.append9PVolume(dev)
      case 'socket':
        return arch.appendSocket(dev)
      case 'network':
        return arch.appendNetwork(dev)
      case 'block':
        return arch.appendBlockDevice(dev)
      case 'vhostUser':
        return arch.appendVhostUserDevice(dev)
      case 'vfio':
        return arch.appendVFIODevice(dev)
    }
  }

const runDir = (sandbox: Sandbox): string => `${sandbox.runDir}/${sandbox.id}`

/** Host fds the plan will not pass, said out loud: vhost fds of a NIC when vhost-net is disabled (govmm ignores them). */
const ignoredFds = (list: ReadonlyArray<Device>, config: HypervisorConfig, arch: QemuArch): ReadonlyArray<string> => {
  const why = config.disableVhostNet
    ? 'vhost-net is disabled (disable_vhost_net)'
    : `${arch.spec.arch} never uses vhost-net for a NIC on the command line (Kata 1.9 qemu_${arch.spec.arch}.go)`
  const out: Array<string> = []
  for (const x of list)
    if (x._tag === 'Net' && !x.vhost && x.vhostFds.length > 0)
      out.push(`${x.id}: vhostFds ${x.vhostFds.join(',')} are not passed to QEMU because ${why}`)
  return out
}

/** CCW bridges are subchannel sets, of which QEMU has four: say so when more were asked for. */
const ccwBridgesCut = (config: HypervisorConfig, s: ArchState): ReadonlyArray<string> => {
  const made = s.bridges.filter((b) => b.type === 'ccw').length
  return made > 0 && config.defaultBridges > made
    ? [
        `default_bridges = ${config.defaultBridges}: ${made} CCW bridges, one per subchannel set QEMU has for virtio-ccw devices (fe.0 to fe.${made - 1})`,
      ]
    : []
}

/** govmm picks the hugepages backend before the file one: say so when a memory file is configured too. */
const unusedMemPath = (k: Knobs): ReadonlyArray<string> =>
  k.hugePages && k.fileBackedMem && k.memPath !== undefined
    ? [`memory file ${k.memPath} is not used: enable_hugepages puts guest memory on /dev/hugepages (govmm checks hugepages first)`]
    : []

/** The kernel command line: the arch's, then Kata's own, then the configuration's (`qemu.kernelParameters`). */
const kernelParams = (arch: QemuArch, config: HypervisorConfig, d: Draft, maxVCpus: number): ReadonlyArray<Param> => [
  ...arch.kernelParameters(config.debug)(d.state),
  param('panic', '1'),
  param('nr_cpus', String(maxVCpus)),
  param('agent.use_vsock', String(config.useVsock)),
  ...config.kernelParams,
]

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Plan a sandbox. Pure: the same inputs and id source give the same plan.
 *
 * @since 0.1.0
 * @category planning
 */
export const planSandbox = (config: HypervisorConfig, sandbox: Sandbox, resolved: Resolved, ids: IdSource): E.Either<CoreError, Plan> => {
  const arch = arches[sandbox.arch]
  const checked = preflight(config, sandbox)
  if (checked._tag === 'Left') return checked
  const state = setup(arch, config, sandbox)
  const cpus = vcpus(arch, config, sandbox, state)
  const image = rootfs(arch, config, resolved, ids)
  if (image._tag === 'Left') return image
  const machine = arch.machine(state)
  if (machine._tag === 'Left') return machine
  const binary = config.path !== undefined ? E.right(config.path) : arch.qemuPath(state)
  if (binary._tag === 'Left') return binary
  const knobs = knobsFor(config, sandbox, resolved)
  if (knobs._tag === 'Left') return knobs
  const drafted = steps(emptyDraft(state), [
    ...builtIn(arch, config, sandbox, image.right, ids),
    ...sandbox.devices.map(addDevice(arch, config, sandbox, ids)),
  ])
  if (drafted._tag === 'Left') return drafted
  const devices = uniqueDevices(drafted.right)
  if (devices._tag === 'Left') return devices
  const final = drafted.right.state
  const dir = runDir(sandbox)
  const plan: Plan = {
    arch: sandbox.arch,
    transport: arch.spec.transport,
    binary: { govmm: binary.right, qemu: config.path ?? arch.spec.qemuBinary },
    qemuRefusal: arch.spec.qemuRefuses[state.machineType],
    facts: machineFacts(arch, final),
    name: `sandbox-${sandbox.id}`,
    uuid: sandbox.uuid,
    machine: { ...machine.right, options: withAccelerators(machine.right.options, config.machineAccelerators) },
    cpuModel: arch.cpuModel(final),
    qmpPath: `${dir}/qmp.sock`,
    memory: arch.memoryTopology(config.memoryMiB, sandbox.host.memoryMiB, config.memorySlots)(final),
    dimmSupported: arch.spec.transport === 'pci',
    devices: devices.right,
    knobs: knobs.right,
    kernel: { path: config.kernel, initrd: config.initrd, params: kernelParams(arch, config, drafted.right, cpus.maxVcpus) },
    bios: config.firmware,
    incoming: sandbox.template?.bootFromTemplate ? 'defer' : undefined,
    pidFile: `${dir}/pid`,
    logFile: config.debug ? `${dir}/qemu.log` : undefined,
    smp: arch.cpuTopology(cpus.vcpus, cpus.maxVcpus),
    state: final,
    capabilities: arch.capabilities(final),
    hotplugConfig: {
      blockDeviceDriver: config.blockDeviceDriver,
      blockDeviceCache: config.blockDeviceCache.set
        ? { direct: config.blockDeviceCache.direct, noFlush: config.blockDeviceCache.noFlush }
        : undefined,
      hotplugVfioOnRootBus: config.hotplugVfioOnRootBus,
    },
    hotplugged: { cpus: [], dimms: [], scsiIndex: 0 },
    warnings: [
      ...cpus.warnings,
      ...(resolved.memoryBackendExists === false && memoryBackendPath(config) !== undefined ? [missingBackendWarning(config)] : []),
      ...unusedMemPath(knobs.right),
      ...ccwBridgesCut(config, final),
      ...ignoredFds(devices.right, config, arch),
    ],
  }
  return sandbox.hotplug === undefined ? E.right(plan) : checkHotplug(plan, sandbox.hotplug)
}
