/**
 * The sandbox planner: what Kata's `createSandbox` + `addDevice` do (reference §3.9, §7.20, §9),
 * as one pure function of the resolved inputs. Ids the original drew at random come from the
 * injected `IdSource`; the image size comes from the effects layer's `stat`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidConfig, unsupported, type PlanError } from '../core/errors.ts'
import type { IdSource } from '../core/ids.ts'
import type { HypervisorConfig } from '../core/input/config.ts'
import { vcpuPlan } from '../core/input/katautils.ts'
import type { Sandbox, SandboxDevice } from '../core/input/sandbox.ts'
import { param, type Param } from '../core/kernel.ts'
import { checkHotplug } from '../core/topology.ts'
import { memoryBackendPath, missingBackendWarning, preflight } from '../core/preflight.ts'
import type { Device } from '../core/devices/model.ts'
import type { Knobs, Plan } from '../core/vm.ts'
import { andThen, newState, noDevices, uniqueList } from './base.ts'
import { arches } from './index.ts'
import type { Devices, MachineOpt, QemuArch, Step } from './types.ts'

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
// utils
// -------------------------------------------------------------------------------------

const steps =
  (...fs: ReadonlyArray<Step>): Step =>
  (d) =>
    fs.reduce<E.Either<PlanError, Devices>>((acc, f) => andThen(acc, f), E.right(d))

/** The arch record for a sandbox's `arch`. @since 0.1.0 @category planning */
export const archFor = (arch: Sandbox['arch']): E.Either<PlanError, QemuArch> => {
  const a = arches[arch]
  return a ? E.right(a) : E.left(unsupported({ arch, feature: 'planning (this arch is not implemented yet)' }))
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

const sandboxDevice =
  (arch: QemuArch, config: HypervisorConfig, sandbox: Sandbox, ids: IdSource, index: number) =>
  (dev: SandboxDevice): Step => {
    switch (dev.kind) {
      case 'vsock':
        return arch.appendVSock(dev)
      case 'volume':
        return config.sharedFs === 'virtio-fs'
          ? arch.appendVhostUserDevice({
              type: 'fs', devId: ids.hex16(`virtio-fs-${index}`), socketPath: `${sandbox.runDir}/${sandbox.id}/vhost-fs.sock`,
              tag: dev.mountTag, cacheSize: config.virtioFsCacheSizeMiB,
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

/** Host fds the plan will not pass, said out loud: vhost fds of a NIC when vhost-net is disabled (govmm ignores them). */
const ignoredFds = (list: ReadonlyArray<Device>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const x of list)
    if (x._tag === 'Net' && !x.vhost && x.vhostFds.length > 0)
      out.push(`${x.id}: vhostFds ${x.vhostFds.join(',')} are not passed to QEMU because vhost-net is disabled (disable_vhost_net)`)
  return out
}

/** govmm picks the hugepages backend before the file one: say so when a memory file is configured too. */
const unusedMemPath = (k: Knobs): ReadonlyArray<string> =>
  k.hugePages && k.fileBackedMem && k.memPath !== undefined
    ? [`memory file ${k.memPath} is not used: enable_hugepages puts guest memory on /dev/hugepages (govmm checks hugepages first)`]
    : []

const knobsFor = (config: HypervisorConfig, sandbox: Sandbox, resolved: Resolved): E.Either<PlanError, Knobs> => {
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
    noUserConfig: true, noDefaults: true, noGraphic: true, daemonize: sandbox.daemonize, hugePages: config.hugePages,
    memPrealloc: config.memPrealloc, fileBackedMem: false, memShared: false, memPath: undefined, realtime: false,
    mlock: config.mlock, stopped: false,
  }
  if (templating) return E.right({ ...base, fileBackedMem: true, memShared: t.bootToBeTemplate, memPath: t.memoryPath })
  // Kata's setupFileBackedMem plans no file-backed memory when the location does not exist
  if (sharedFile && resolved.memoryBackendExists === false) return E.right({ ...base, memPrealloc: base.memPrealloc || config.hugePages })
  if (sharedFile)
    return E.right({ ...base, fileBackedMem: true, memShared: true, memPath: config.fileMemBackend ?? '/dev/shm', memPrealloc: base.memPrealloc || config.hugePages })
  return E.right(base)
}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Plan a sandbox. Pure: the same inputs and id source give the same plan.
 *
 * @since 0.1.0
 * @category planning
 */
export const planSandbox = (config: HypervisorConfig, sandbox: Sandbox, resolved: Resolved, ids: IdSource): E.Either<PlanError, Plan> =>
  andThen(archFor(sandbox.arch), (arch) => {
    const checked = preflight(config, sandbox)
    if (checked._tag === 'Left') return checked
    let state = newState(arch, config, sandbox)
    if (!config.disableNestingChecks && arch.spec.detectsNesting && sandbox.host.nested) state = arch.enableNestingChecks(state)
    if (!config.disableVhostNet) state = arch.enableVhostNet(state)
    state = arch.bridges(config.defaultBridges)(state)
    // katautils defaultVCPUs/defaultMaxVCPUs against the host's CPUs; vcpus above the maximum reach govmm, which refuses them
    const { vcpus, maxVcpus: maxVCpus, warnings: cpuWarnings } = vcpuPlan(config, sandbox.arch, sandbox.host, arch.spec.maxVCpus(state.host))
    const image = config.image !== undefined && config.initrd === undefined ? config.image : undefined
    if (image !== undefined && resolved.imageSizeBytes === undefined)
      return E.left(invalidConfig({ field: 'hypervisor.qemu.image', reason: 'the image size was not resolved (stat the image first)' }))
    const dir = `${sandbox.runDir}/${sandbox.id}`
    // an NVDIMM rootfs has fixed ids (nv0/mem0): Kata draws random bytes only for a block image
    const plan = steps(
      arch.appendBridges,
      arch.appendConsole(sandbox.consolePath ?? `${dir}/console.sock`),
      ...(image !== undefined ? [arch.appendImage({ path: image, sizeBytes: resolved.imageSizeBytes ?? 0, randomHex: arch.spec.nvdimmOnImage ? '' : ids.hex16('image') })] : []),
      ...(config.blockDeviceDriver === 'virtio-scsi' ? [arch.appendSCSIController(config.enableIothreads ? ids.hex16('iothread') : undefined)] : []),
      arch.appendRNGDevice({ id: 'rng0', filename: config.entropySource }),
      ...sandbox.devices.map((dev, i) => sandboxDevice(arch, config, sandbox, ids, i)(dev)),
    )
    // plain andThen chains: fp-ts's E.bind/E.map go through dual(), which showed in the profile
    return andThen(arch.machine(state), (machine) =>
      andThen(config.path !== undefined ? E.right(config.path) : arch.qemuPath(state), (binary) =>
        andThen(knobsFor(config, sandbox, resolved), (knobs) =>
          andThen(plan(noDevices(state)), (devices) =>
            andThen(uniqueList(devices), (list) => {
              const params: ReadonlyArray<Param> = [
                ...arch.kernelParameters(config.debug)(devices.state),
                param('panic', '1'),
                param('nr_cpus', String(maxVCpus)),
                param('agent.use_vsock', String(config.useVsock)),
                ...config.kernelParams,
              ]
              const planned: Plan = {
                arch: sandbox.arch,
                transport: arch.spec.transport,
                binary,
                binary72: config.path ?? arch.spec.qemu72Binary,
                qemu72Unsupported: arch.spec.qemu72Unsupported[state.machineType],
                hasKvmPit: arch.spec.hasKvmPit,
                name: `sandbox-${sandbox.id}`,
                uuid: sandbox.uuid,
                machine: { ...machine, options: withAccelerators(machine.options, config.machineAccelerators) },
                cpuModel: arch.cpuModel(devices.state),
                qmpPath: `${dir}/qmp.sock`,
                memory: arch.memoryTopology(config.memoryMiB, sandbox.host.memoryMiB, config.memorySlots)(devices.state),
                dimmSupported: arch.spec.transport === 'pci',
                devices: list,
                ioThreads: devices.ioThreads,
                knobs,
                kernel: { path: config.kernel, initrd: config.initrd, params },
                bios: config.firmware,
                incoming: sandbox.template?.bootFromTemplate ? 'defer' : undefined,
                pidFile: `${dir}/pid`,
                logFile: config.debug ? `${dir}/qemu.log` : undefined,
                smp: arch.cpuTopology(vcpus, maxVCpus),
                host: devices.state.host,
                state: devices.state,
                capabilities: arch.capabilities(devices.state),
                memoryHotplug: arch.supportGuestMemoryHotplug(devices.state),
                hotplugged: { cpus: [], dimms: [] },
                warnings: [...cpuWarnings, ...(resolved.memoryBackendExists === false && memoryBackendPath(config) !== undefined ? [missingBackendWarning(config)] : []), ...unusedMemPath(knobs), ...ignoredFds(list)],
              }
              return sandbox.hotplug === undefined
                ? E.right(planned)
                : checkHotplug(planned, sandbox.hotplug, config, { rootBus: arch.spec.rootBus[state.machineType], memoryHotplug: arch.supportGuestMemoryHotplug(planned.state) })
            }),
          ),
        ),
      ),
    )
  })
