/**
 * The canonical view of a parsed command line that `diff` compares: flat string properties per
 * section and per device, with QEMU's equivalent spellings folded (bare flag = `on`,
 * `true`/`yes` = `on`, `-realtime mlock=` = `-overcommit mem-lock=`, the iothread set unordered)
 * and each device keyed by its QEMU id with its placement apart from its properties.
 *
 * @since 0.1.0
 */
import { props, type Props } from '../devices/module.ts'
import type { Dialect } from '../devices/profile.ts'
import { viewOf } from '../devices/registry.ts'
import { serializeParams } from '../kernel.ts'
import { ioThreadsOf } from '../render.ts'
import type { Parsed } from '../parse/plan.ts'
import { parseBool } from '../parse/reader.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type { Props } from '../devices/module.ts'

/** @since 0.1.0 @category model */
export interface DeviceView {
  /** The QEMU id (`/machine/peripheral/<id>`). */
  readonly id: string
  /** The device kind (`Block`, `Net`, `VhostUser/fs` …). */
  readonly kind: string
  /** `bus:0xN` on PCI, `devno` on CCW; `undefined` when QEMU assigns it. */
  readonly placement: string | undefined
  readonly props: Props
  /** The command line gave no id; `id` was derived from the device's position (match by placement first). */
  readonly derivedId: boolean
}

/** @since 0.1.0 @category model */
export interface View {
  readonly dialect: Dialect
  readonly machine: Props
  readonly cpu: Props
  readonly memory: Props
  readonly kernel: Props
  readonly kernelParams: ReadonlyArray<string>
  readonly other: Props
  readonly devices: ReadonlyArray<DeviceView>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** A machine option value with QEMU's boolean spellings folded. @since 0.1.0 @category utils */
export const normalBool = (v: string | undefined): string => {
  if (v === undefined) return 'on'
  const b = parseBool(v)
  return b === undefined ? v : b ? 'on' : 'off'
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The view of a parsed command line.
 *
 * @since 0.1.0
 * @category constructors
 */
export const view = (parsed: Parsed): View => {
  const p = parsed.plan
  const k = p.knobs
  const iothreads = ioThreadsOf(p.devices)
  const derived = new Set(parsed.derivedIds)
  const machine: Record<string, string> = { type: p.machine.type }
  for (const [key, v] of p.machine.options) machine[key] = normalBool(v)
  const backend = !p.dimmSupported
    ? undefined
    : k.hugePages
      ? 'file:/dev/hugepages'
      : k.fileBackedMem && k.memPath !== undefined
        ? `file:${k.memPath}`
        : 'ram'
  return {
    dialect: parsed.dialect,
    machine,
    cpu: props({
      model: p.cpuModel,
      cpus: p.smp.cpus || undefined,
      cores: p.smp.cores || undefined,
      threads: p.smp.threads || undefined,
      sockets: p.smp.sockets || undefined,
      maxcpus: p.smp.maxCpus || undefined,
    }),
    memory: props({
      size: `${p.memory.sizeMiB}M`,
      slots: p.memory.slots || undefined,
      maxmem: `${p.memory.maxMemMiB}M`,
      backend,
      share: backend && k.memShared ? true : undefined,
      prealloc: backend && k.memPrealloc ? true : undefined,
      'mem-lock': k.realtime || !k.mlock ? k.mlock : undefined,
    }),
    kernel: props({ path: p.kernel.path, initrd: p.kernel.initrd, bios: p.bios }),
    kernelParams: serializeParams(p.kernel.params),
    other: props({
      binary: parsed.hasBinary ? p.binary.govmm : undefined,
      name: p.name,
      uuid: p.uuid,
      qmp: p.qmpPath,
      pidfile: p.pidFile,
      log: p.logFile,
      'no-user-config': k.noUserConfig || undefined,
      nodefaults: k.noDefaults || undefined,
      nographic: k.noGraphic || undefined,
      daemonize: k.daemonize || undefined,
      stopped: k.stopped || undefined,
      incoming: p.incoming,
      rtc: parsed.rtc ? 'base=utc,driftfix=slew' : undefined,
      'kvm-pit': p.facts.kvmPit ? 'lost_tick_policy=discard' : undefined,
      iothreads: iothreads.length > 0 ? [...iothreads].sort().join(' ') : undefined,
    }),
    devices: p.devices.map((d) => ({ id: d.id, ...viewOf(d), derivedId: derived.has(d.id) })),
  }
}
