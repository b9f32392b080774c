/**
 * Plan → argv, in govmm's `LaunchQemu` order, in one of two dialects:
 *
 * - `govmm`: the command line of Kata 1.9 + govmm byte for byte, except that commas inside values
 *   are doubled. Devices govmm's `Valid()` would silently skip are skipped too, with a warning.
 * - `qemu` (default): the same VM for QEMU 7.2+: explicit `-pci`/`-ccw` drivers with explicit
 *   `bus=`/`addr=`/`devno=`, `key=on|off` booleans, `server=on,wait=off`, no empty `romfile=`, no
 *   `-realtime`, the `-rtc` Kata meant to emit, `kvm-pit` only where it exists, and TCG when asked.
 *   Devices govmm would skip are errors.
 *
 * Devices render through their modules and the dialect profiles (`devices/profile.ts`). Host fds
 * are numbered as govmm numbers them: the i-th passed fd is child fd 3 + i.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { guestRam } from './devices/backends/memory-backend.ts'
import * as IoThread from './devices/backends/iothread.ts'
import type { Device, Vfio } from './devices/model.ts'
import { resolveText, type Dialect, type Switch, type Where } from './devices/profile.ts'
import { type Filled } from './devices/template.ts'
import { moduleOf, renderingOf } from './devices/registry.ts'
import { invalidConfig, invalidDevice, unsupported, type InvalidConfig, type InvalidDevice, type Unsupported } from './errors.ts'
import { kernelCmdline } from './kernel.ts'
import { escape, opts } from './opts.ts'
import type { FdSource } from './qmp/action.ts'
import type { Plan } from './vm.ts'

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

/** What rendering can refuse. @since 0.3.0 @category errors */
export type RenderError = InvalidConfig | InvalidDevice | Unsupported

/** The first child fd number for passed fds. @since 0.1.0 @category model */
export const firstChildFd = 3

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** The I/O threads the devices use, in device order (govmm's `IOThreads`). @since 0.3.0 @category utils */
export const ioThreadsOf = (devices: ReadonlyArray<Device>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const d of devices) if (d._tag === 'Scsi' && d.ioThread !== undefined) out.push(d.ioThread)
  return out
}

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

const machineArg = (p: Plan, dialect: Dialect): string => {
  let out = p.machine.type
  const options = p.machine.options
  if (dialect === 'govmm') {
    for (const [k, v] of options) out += v === undefined ? `,${k}` : `,${k}=${v}`
    return out
  }
  const tcg = p.state.host.accelerator === 'tcg'
  let accel = false
  for (const [k, v] of options) {
    // kernel_irqchip only means something to KVM
    if (tcg && k === 'kernel_irqchip') continue
    if (k === 'accel') accel = true
    // gic-version=host needs KVM; TCG emulates GICv3
    const value = k === 'accel' ? (tcg ? 'tcg' : (v ?? 'kvm')) : k === 'gic-version' && v === 'host' && tcg ? '3' : (v ?? 'on')
    out += `,${k}=${value}`
  }
  return tcg && !accel ? `${out},accel=tcg` : out
}

/** The `-object`/`-numa` of the guest RAM, when the machine takes DIMMs. */
const pushMemoryBackend = (args: Array<string>, p: Plan, how: How): void => {
  if (!p.dimmSupported) return
  const k = p.knobs
  const file = k.hugePages ? '/dev/hugepages' : k.fileBackedMem ? k.memPath : undefined
  // plain options only: the same text in both dialects
  pushSwitch(
    args,
    guestRam('dimm1', p.memory.sizeMiB, file, k.memShared, k.memPrealloc),
    'qemu',
    { transport: p.transport, fdBase: 0 },
    how,
  )
  args.push('-numa', 'node,memdev=dimm1')
}

/** The knobs' switches, in govmm's order (`appendKnobs`). */
const pushKnobs = (args: Array<string>, p: Plan, dialect: Dialect, how: How): void => {
  const k = p.knobs
  if (k.noUserConfig) args.push('-no-user-config')
  if (k.noDefaults) args.push('-nodefaults')
  if (k.noGraphic) args.push('-nographic')
  if (k.daemonize) args.push('-daemonize')
  pushMemoryBackend(args, p, how)
  // govmm's -realtime is QEMU 7.2's -overcommit
  const mlock = k.mlock ? 'on' : 'off'
  if (k.realtime || !k.mlock) args.push(...(dialect === 'govmm' ? ['-realtime', `mlock=${mlock}`] : ['-overcommit', `mem-lock=${mlock}`]))
  if (k.stopped) args.push('-S')
}

const smp = (p: Plan): E.Either<InvalidConfig, ReadonlyArray<string>> => {
  const s = p.smp
  if (s.cpus <= 0) return E.right([])
  if (s.maxCpus > 0 && s.maxCpus < s.cpus)
    return E.left(
      invalidConfig({
        field: 'hypervisor.qemu.default_maxvcpus',
        reason: `MaxCPUs ${s.maxCpus} must be equal to or greater than CPUs ${s.cpus}`,
      }),
    )
  const pos = (n: number): number | undefined => (n > 0 ? n : undefined)
  return E.right([
    '-smp',
    opts([String(s.cpus), ['cores', pos(s.cores)], ['threads', pos(s.threads)], ['sockets', pos(s.sockets)], ['maxcpus', pos(s.maxCpus)]]),
  ])
}

/**
 * What QEMU (7.2 and later) refuses although govmm would print it, as a typed error.
 *
 * @since 0.1.0
 * @category render
 */
export const qemuProblem = (p: Plan): RenderError | undefined => {
  if (p.qemuRefusal !== undefined) return unsupported({ arch: p.arch, feature: p.qemuRefusal })
  if (p.facts.memoryNeedsFirmware && p.bios === undefined && p.devices.some((d) => d._tag === 'Nvdimm'))
    return invalidConfig({
      field: 'hypervisor.qemu.firmware',
      reason: `an NVDIMM image on ${p.arch} ${p.machine.type} needs firmware (-bios): without it QEMU 7.2 says "memory hotplug is not enabled: missing acpi-ged device"`,
    })
  // vfio-ccw takes a mediated device (sysfsdev), not a PCI address
  const vfio = p.transport === 'ccw' ? p.devices.find((d): d is Vfio => d._tag === 'Vfio' && d.bdf !== undefined) : undefined
  if (vfio !== undefined)
    return unsupported({ arch: p.arch, feature: `VFIO by PCI address (${vfio.bdf}): vfio-ccw needs a mediated device (sysfsdev)` })
  return undefined
}

/** How option strings are built: flat or by concatenation (`resolveText`), and from compiled templates where a module has them. @since 0.3.0 @category render */
export interface How {
  readonly flat: boolean
  readonly compiled: boolean
}

const isFilled = (s: Switch | Filled): s is Filled => typeof s.items === 'function'

const pushSwitch = (args: Array<string>, s: Switch | Filled, dialect: Dialect, w: Where, how: How): void => {
  if (!isFilled(s)) args.push(s.flag, resolveText(s.items, dialect, w, how.flat))
  else if (how.compiled) args.push(s.flag, s.text(dialect, w, true, how.flat))
  else args.push(s.flag, resolveText(s.items(), dialect, w, how.flat))
}

const plainly: How = { flat: false, compiled: true }

/**
 * From this many devices on, option strings are built flat (`resolveText`): such a command line
 * lives through collections, and a flat string is one object to copy where a concatenated one is
 * dozens. Below it, concatenation is faster and everything it builds dies young.
 */
const flatFrom = 5000

/**
 * One device's switches in a dialect, its passed fds numbered from `fdBase` (what `render` does
 * for each device of a plan).
 *
 * @since 0.3.0
 * @category render
 */
export const renderDevice = (
  d: Device,
  dialect: Dialect,
  where: Where,
): { readonly args: ReadonlyArray<string>; readonly fds: ReadonlyArray<FdSource> } => {
  const r = renderingOf(d)
  const args: Array<string> = []
  for (const s of r.switches) pushSwitch(args, s, dialect, where, plainly)
  return { args, fds: r.fds }
}

/**
 * Render a plan as argv.
 *
 * @since 0.1.0
 * @category render
 */
export const render = (p: Plan, dialect: Dialect = 'qemu'): E.Either<RenderError, Rendered> =>
  renderWith(p, dialect, { flat: p.devices.length >= flatFrom, compiled: true })

/**
 * `render`, with the way option strings are built chosen by the caller: flat or by
 * concatenation, from compiled templates or by walking every item. The text is the same every
 * way; a property test holds them to it.
 *
 * @since 0.3.0
 * @category render
 */
export const renderWith = (p: Plan, dialect: Dialect, how: How): E.Either<RenderError, Rendered> => {
  const refused = dialect === 'qemu' ? qemuProblem(p) : undefined
  if (refused !== undefined) return E.left(refused)
  const warnings: Array<string> = p.warnings.slice()
  const g = dialect === 'govmm'
  const args: Array<string> = [
    '-name',
    p.name,
    '-uuid',
    p.uuid,
    '-machine',
    machineArg(p, dialect),
    '-cpu',
    !g && p.state.host.accelerator === 'tcg' ? 'max' : p.cpuModel,
  ]
  // QEMU refuses an unaligned maxmem (pseries), which Kata produced whenever memory_offset was not aligned
  const align = g ? 1 : p.facts.maxMemAlignMiB
  const maxMemMiB = p.memory.maxMemMiB - (p.memory.maxMemMiB % align)
  if (maxMemMiB !== p.memory.maxMemMiB)
    warnings.push(`maxmem ${p.memory.maxMemMiB}M rounded down to ${maxMemMiB}M: the machine needs it aligned to ${align} MiB`)
  args.push(
    '-qmp',
    g ? `unix:${escape(p.qmpPath)},server,nowait` : `unix:${escape(p.qmpPath)},server=on,wait=off`,
    '-m',
    opts([`${p.memory.sizeMiB}M`, ['slots', p.memory.slots > 0 ? p.memory.slots : undefined], ['maxmem', `${maxMemMiB}M`]]),
  )
  const fds: Array<number> = []
  // where the next device renders: its fds are numbered after those passed so far
  let w: Where = { transport: p.transport, fdBase: firstChildFd }
  const devices = p.devices
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i] as Device
    const m = moduleOf(d)
    const bad = m.problem(d)
    if (bad !== undefined) {
      if (!g) return E.left(invalidDevice({ device: d.id || d._tag, field: bad.field, reason: bad.reason }))
      warnings.push(`dropped device ${d.id || d._tag} as govmm does: ${bad.field}: ${bad.reason}`)
      continue
    }
    const r = m.render(d)
    const switches = r.switches
    for (let k = 0; k < switches.length; k++) pushSwitch(args, switches[k] as Switch | Filled, dialect, w, how)
    if (r.fds.length === 0) continue
    for (const fd of r.fds) {
      if (!isHostFd(fd))
        return E.left(
          invalidDevice({ device: d.id, field: 'fds', reason: `tap ${fd.tap} is opened by hot-plug; a command line takes open fds` }),
        )
      fds.push(fd)
    }
    w = { transport: p.transport, fdBase: firstChildFd + fds.length }
  }
  const smpArgs = smp(p)
  if (smpArgs._tag === 'Left') return smpArgs
  // govmm dropped Kata's RTC (no clock, so not Valid()); QEMU gets what Kata meant
  if (!g) args.push('-rtc', 'base=utc,driftfix=slew')
  // govmm printed it on every arch
  if (g || p.facts.kvmPit) args.push('-global', 'kvm-pit.lost_tick_policy=discard')
  args.push('-vga', 'none')
  pushKnobs(args, p, dialect, how)
  args.push('-kernel', p.kernel.path)
  if (p.kernel.initrd !== undefined) args.push('-initrd', p.kernel.initrd)
  const kernelParams = kernelCmdline(p.kernel.params)
  if (kernelParams !== '') args.push('-append', kernelParams)
  if (p.bios !== undefined) args.push('-bios', p.bios)
  for (const id of ioThreadsOf(p.devices)) pushSwitch(args, IoThread.render(id), dialect, { transport: p.transport, fdBase: 0 }, how)
  if (p.incoming === 'defer') args.push('-S', '-incoming', 'defer')
  args.push('-pidfile', p.pidFile)
  if (p.logFile !== undefined) args.push('-D', p.logFile)
  for (const a of smpArgs.right) args.push(a)
  return E.right({ binary: g ? p.binary.govmm : p.binary.qemu, args, fds, warnings })
}

const isHostFd = (fd: FdSource): fd is number => typeof fd === 'number'
