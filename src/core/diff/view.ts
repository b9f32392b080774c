/**
 * The canonical view of a parsed command line that `diff` compares: flat string properties per
 * section and per device, with QEMU's equivalent spellings folded (bare flag = `on`,
 * `true`/`yes` = `on`, `-realtime mlock=` = `-overcommit mem-lock=`, the iothread set unordered)
 * and each device keyed by its QEMU id with its placement apart from its properties.
 *
 * @since 0.1.0
 */
import { deviceId, type Device, type Dialect } from '../devices/model.ts'
import { serializeParams } from '../kernel.ts'
import type { Parsed } from '../parse/plan.ts'
import { parseBool } from '../parse/reader.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One property set, keyed by name; absent keys are absent properties. @since 0.1.0 @category model */
export type Props = Readonly<Record<string, string>>

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

const clean = (r: Record<string, string | number | boolean | undefined>): Props => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)
  return out
}

const hex = (n: number): string => `0x${n.toString(16)}`

const kindOf = (d: Device): string => (d._tag === 'VhostUser' ? `VhostUser/${d.type}` : d._tag === 'Bridge' ? `Bridge/${d.type}` : d._tag)

const placementOf = (d: Device): string | undefined => {
  if (d._tag === 'Bridge') return `${d.bus}:${hex(d.addr)}`
  if (d._tag === 'Char' || d._tag === 'Nvdimm') return undefined
  if (d._tag === 'ScsiDisk') return `${d.bus}:${d.scsiId}.${d.lun}`
  const p = d.placement
  return p._tag === 'Pci' ? `${p.bus}:${hex(p.slot)}` : p._tag === 'Ccw' ? p.devno : undefined
}

const propsOf = (d: Device): Props => {
  switch (d._tag) {
    case 'Bridge':
      return clean(d.type === 'pci' ? { chassis_nr: d.chassis, shpc: d.shpc } : {})
    case 'Serial':
      return clean({ 'disable-modern': d.disableModern })
    case 'Char':
      return clean({ driver: d.driver, chardev: d.id, path: d.path, name: d.name })
    case 'Block':
      return clean({ file: d.file, format: d.format, aio: d.aio, 'share-rw': d.shareRW, 'disable-modern': d.disableModern })
    case 'Scsi':
      return clean({ iothread: d.ioThread, 'disable-modern': d.disableModern })
    case 'ScsiDisk':
      return clean({ file: d.file, format: d.format })
    case 'Fs9p':
      return clean({ path: d.path, mount_tag: d.mountTag, 'disable-modern': d.disableModern })
    case 'Vsock':
      return clean({ 'guest-cid': d.contextId, vhostfd: d.vhostFd, 'disable-modern': d.disableModern })
    case 'Net':
      return clean({
        mac: d.mac, vhost: d.vhost, vhostfds: d.vhostFds.length > 0 ? d.vhostFds.join(':') : undefined, fds: d.fds.length > 0 ? d.fds.join(':') : undefined,
        ifname: d.fds.length > 0 ? undefined : d.ifName, 'disable-modern': d.disableModern,
      })
    case 'VhostUser':
      return clean({
        socket: d.socketPath, chardev: d.charDevId, mac: d.mac, tag: d.tag, cacheSizeMiB: d.type === 'fs' ? d.cacheSizeMiB : undefined,
      })
    case 'Vfio':
      return clean({ host: d.bdf, 'x-pci-vendor-id': d.vendorId, 'x-pci-device-id': d.deviceId })
    case 'Nvdimm':
      return clean({ memdev: d.id, 'mem-path': d.memPath, size: d.size })
    case 'Rng':
      return clean({ filename: d.filename })
  }
}

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
  const machine: Record<string, string> = { type: p.machine.type }
  for (const [key, v] of p.machine.options) machine[key] = normalBool(v)
  const backend = !p.dimmSupported ? undefined : k.hugePages ? 'file:/dev/hugepages' : k.fileBackedMem && k.memPath !== undefined ? `file:${k.memPath}` : 'ram'
  return {
    dialect: parsed.dialect,
    machine,
    cpu: clean({ model: p.cpuModel, cpus: p.smp.cpus || undefined, cores: p.smp.cores || undefined, threads: p.smp.threads || undefined, sockets: p.smp.sockets || undefined, maxcpus: p.smp.maxCpus || undefined }),
    memory: clean({
      size: `${p.memory.sizeMiB}M`, slots: p.memory.slots || undefined, maxmem: `${p.memory.maxMemMiB}M`, backend,
      share: backend && k.memShared ? true : undefined, prealloc: backend && k.memPrealloc ? true : undefined,
      'mem-lock': k.realtime || !k.mlock ? k.mlock : undefined,
    }),
    kernel: clean({ path: p.kernel.path, initrd: p.kernel.initrd, bios: p.bios }),
    kernelParams: serializeParams(p.kernel.params),
    other: clean({
      binary: parsed.hasBinary ? p.binary : undefined, name: p.name, uuid: p.uuid, qmp: p.qmpPath, pidfile: p.pidFile, log: p.logFile,
      'no-user-config': k.noUserConfig || undefined, nodefaults: k.noDefaults || undefined, nographic: k.noGraphic || undefined,
      daemonize: k.daemonize || undefined, stopped: k.stopped || undefined, incoming: p.incoming, rtc: parsed.rtc ? 'base=utc,driftfix=slew' : undefined,
      'kvm-pit': p.hasKvmPit ? 'lost_tick_policy=discard' : undefined, iothreads: p.ioThreads.length > 0 ? [...p.ioThreads].sort().join(' ') : undefined,
    }),
    devices: p.devices.map((d) => ({ id: deviceId(d), kind: kindOf(d), placement: placementOf(d), props: propsOf(d), derivedId: parsed.derivedIds.includes(deviceId(d)) })),
  }
}
