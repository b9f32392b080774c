/**
 * Plan → argv, in govmm's `LaunchQemu` order (reference §7.18), in one of two dialects:
 *
 * - `govmm`: the command line of Kata 1.9 + govmm byte for byte, except that commas inside values
 *   are doubled. Devices govmm's `Valid()` would silently skip are skipped too, with a warning.
 * - `qemu` (default): the same VM for QEMU 7.2+: explicit `-pci`/`-ccw` drivers with explicit
 *   `bus=`/`addr=`/`devno=`, `key=on|off` booleans, `server=on,wait=off`, no empty `romfile=`, no
 *   `-realtime`, the `-rtc` Kata meant to emit, `kvm-pit` only on x86, and TCG when asked. Devices
 *   govmm would skip are errors.
 *
 * Host fds are numbered as govmm numbers them: the i-th passed fd is child fd 3 + i.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { problem, renderDevice, type Dialect } from './devices/index.ts'
import { invalidConfig, invalidDevice, unsupported, type PlanError } from './errors.ts'
import { kernelCmdline } from './kernel.ts'
import { escape, opts } from './opts.ts'
import type { Plan } from './vm.ts'
import { deviceId } from './devices/model.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface Rendered {
  readonly binary: string
  readonly args: ReadonlyArray<string>
  /** Host fds to pass, in order: entry i becomes fd 3 + i in QEMU. */
  readonly fds: ReadonlyArray<number>
  readonly warnings: ReadonlyArray<string>
}

/** The first child fd number for passed fds. @since 0.1.0 @category model */
export const firstChildFd = 3

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

const machineArg = (p: Plan, dialect: Dialect): string => {
  if (dialect === 'govmm') return [p.machine.type, ...p.machine.options.map(([k, v]) => (v === undefined ? k : `${k}=${v}`))].join(',')
  const tcg = p.host.accelerator === 'tcg'
  const options = p.machine.options
    // kernel_irqchip only means something to KVM
    .filter(([k]) => !(tcg && k === 'kernel_irqchip'))
    .map(([k, v]): readonly [string, string] => {
      if (k === 'accel') return [k, tcg ? 'tcg' : (v ?? 'kvm')]
      // gic-version=host requires KVM (qemu-7.2-matrix §5)
      if (k === 'gic-version' && v === 'host' && tcg) return [k, '3']
      return [k, v ?? 'on']
    })
  const withAccel = options.some(([k]) => k === 'accel') || !tcg ? options : [...options, ['accel', 'tcg'] as const]
  return [p.machine.type, ...withAccel.map(([k, v]) => `${k}=${v}`)].join(',')
}

const memoryBackend = (p: Plan): ReadonlyArray<string> => {
  if (!p.dimmSupported) return []
  const size = `${p.memory.sizeMiB}M`
  const k = p.knobs
  const backend = k.hugePages
    ? opts(['memory-backend-file', ['id', 'dimm1'], ['size', size], ['mem-path', '/dev/hugepages']])
    : k.fileBackedMem && k.memPath !== undefined
      ? opts(['memory-backend-file', ['id', 'dimm1'], ['size', size], ['mem-path', k.memPath]])
      : opts(['memory-backend-ram', ['id', 'dimm1'], ['size', size]])
  const extra = opts([['share', k.memShared ? true : undefined], ['prealloc', k.memPrealloc ? true : undefined]])
  return ['-object', extra ? `${backend},${extra}` : backend, '-numa', 'node,memdev=dimm1']
}

const knobs = (p: Plan, dialect: Dialect): ReadonlyArray<string> => {
  const k = p.knobs
  const realtime =
    dialect === 'govmm'
      ? k.realtime ? ['-realtime', `mlock=${k.mlock ? 'on' : 'off'}`] : !k.mlock ? ['-realtime', 'mlock=off'] : []
      : k.realtime || !k.mlock ? ['-overcommit', `mem-lock=${k.mlock ? 'on' : 'off'}`] : []
  return [
    ...(k.noUserConfig ? ['-no-user-config'] : []),
    ...(k.noDefaults ? ['-nodefaults'] : []),
    ...(k.noGraphic ? ['-nographic'] : []),
    ...(k.daemonize ? ['-daemonize'] : []),
    ...memoryBackend(p),
    ...realtime,
    ...(k.stopped ? ['-S'] : []),
  ]
}

const smp = (p: Plan): E.Either<PlanError, ReadonlyArray<string>> => {
  const s = p.smp
  if (s.cpus <= 0) return E.right([])
  if (s.maxCpus > 0 && s.maxCpus < s.cpus)
    return E.left(invalidConfig({ field: 'hypervisor.qemu.default_maxvcpus', reason: `MaxCPUs ${s.maxCpus} must be equal to or greater than CPUs ${s.cpus}` }))
  const pos = (n: number): number | undefined => (n > 0 ? n : undefined)
  return E.right(['-smp', opts([String(s.cpus), ['cores', pos(s.cores)], ['threads', pos(s.threads)], ['sockets', pos(s.sockets)], ['maxcpus', pos(s.maxCpus)]])])
}

/**
 * What QEMU 7.2 cannot run although govmm would print it (qemu-7.2-matrix §4), as typed errors.
 *
 * @since 0.1.0
 * @category render
 */
export const qemu72Problem = (p: Plan): PlanError | undefined => {
  // virt creates the ACPI GED that memory devices need only when firmware is loaded
  if (p.arch === 'arm64' && p.bios === undefined && p.devices.some((d) => d._tag === 'Nvdimm'))
    return invalidConfig({ field: 'hypervisor.qemu.firmware', reason: 'an NVDIMM image on arm64 virt needs firmware (-bios): without it QEMU 7.2 says "memory hotplug is not enabled: missing acpi-ged device"' })
  // vfio-ccw takes a mediated device (sysfsdev), not a PCI address
  const vfio = p.transport === 'ccw' ? p.devices.find((d) => d._tag === 'Vfio') : undefined
  if (vfio !== undefined) return unsupported({ arch: p.arch, feature: `VFIO by PCI address (${vfio.bdf}): vfio-ccw needs a mediated device (sysfsdev)` })
  return undefined
}

/**
 * Render a plan as argv.
 *
 * @since 0.1.0
 * @category render
 */
export const render = (p: Plan, dialect: Dialect = 'qemu'): E.Either<PlanError, Rendered> => {
  if (dialect === 'qemu' && p.qemu72Unsupported !== undefined) return E.left(unsupported({ arch: p.arch, feature: p.qemu72Unsupported }))
  const q72 = dialect === 'qemu' ? qemu72Problem(p) : undefined
  if (q72 !== undefined) return E.left(q72)
  const warnings: Array<string> = p.warnings.slice()
  const g = dialect === 'govmm'
  // one argv array, pushed in govmm's order (no spreads of intermediate arrays: this is per plan)
  const args: Array<string> = ['-name', p.name, '-uuid', p.uuid, '-machine', machineArg(p, dialect), '-cpu', !g && p.host.accelerator === 'tcg' ? 'max' : p.cpuModel]
  // pseries refuses a maxmem that is not a multiple of 256 MiB, which Kata produced whenever
  // memory_offset was not one (reference §10.8): QEMU 7.2 gets it rounded down
  const maxMemMiB = !g && p.arch === 'ppc64le' ? p.memory.maxMemMiB - (p.memory.maxMemMiB % 256) : p.memory.maxMemMiB
  if (maxMemMiB !== p.memory.maxMemMiB) warnings.push(`maxmem ${p.memory.maxMemMiB}M rounded down to ${maxMemMiB}M: pseries needs it aligned to 256 MiB`)
  args.push(
    '-qmp', g ? `unix:${escape(p.qmpPath)},server,nowait` : `unix:${escape(p.qmpPath)},server=on,wait=off`,
    '-m', opts([`${p.memory.sizeMiB}M`, ['slots', p.memory.slots > 0 ? p.memory.slots : undefined], ['maxmem', `${maxMemMiB}M`]]),
  )
  const fds: Array<number> = []
  for (const d of p.devices) {
    const bad = problem(d)
    if (bad !== undefined) {
      if (!g) return E.left(invalidDevice({ device: deviceId(d) || d._tag, field: bad.field, reason: bad.reason }))
      warnings.push(`dropped device ${deviceId(d) || d._tag} as govmm does: ${bad.field}: ${bad.reason}`)
      continue
    }
    const r = renderDevice(d, { dialect, transport: p.transport, fdBase: firstChildFd + fds.length })
    for (const a of r.args) args.push(a)
    for (const fd of r.fds) fds.push(fd)
  }
  const smpArgs = smp(p)
  if (smpArgs._tag === 'Left') return smpArgs
  // govmm drops Kata's RTC (no Clock → invalid, reference §10.2); QEMU 7.2 gets what Kata meant
  if (!g) args.push('-rtc', 'base=utc,driftfix=slew')
  // govmm printed it on every arch (reference §10.15); kvm-pit exists only on x86
  if (g || (p.hasKvmPit && p.arch === 'amd64')) args.push('-global', 'kvm-pit.lost_tick_policy=discard')
  args.push('-vga', 'none')
  for (const a of knobs(p, dialect)) args.push(a)
  args.push('-kernel', p.kernel.path)
  if (p.kernel.initrd !== undefined) args.push('-initrd', p.kernel.initrd)
  const kernelParams = kernelCmdline(p.kernel.params)
  if (kernelParams !== '') args.push('-append', kernelParams)
  if (p.bios !== undefined) args.push('-bios', p.bios)
  for (const id of p.ioThreads) args.push('-object', opts(['iothread', ['id', id]]))
  if (p.incoming === 'defer') args.push('-S', '-incoming', 'defer')
  args.push('-pidfile', p.pidFile)
  if (p.logFile !== undefined) args.push('-D', p.logFile)
  for (const a of smpArgs.right) args.push(a)
  return E.right({ binary: g ? p.binary : p.binary72, args, fds, warnings })
}
