/**
 * Kata 1.9's own outputs as an oracle (test/fixtures/kata-1.9-vectors): each spec is written the
 * way a user would write it — a `configuration.toml` text and a `sandbox.json` — and planned
 * through the public input path (`loadPlan` over an in-memory file system), katautils' layer
 * included. A spec that a user cannot write (it sets an internal knob, calls the bridge allocator
 * directly, or needs a host that does not exist) is not translated: `toInputs` says why.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { imageNotFound, io } from '../../src/core/errors.ts'
import { systemdImageParams } from '../../src/core/input/config.ts'
import type { IdSource } from '../../src/core/ids.ts'
import type { FileSystem, Ids } from '../../src/effects/ports.ts'

export const vectorsDir = join(import.meta.dirname, '../fixtures/kata-1.9-vectors')

// -------------------------------------------------------------------------------------
// the spec format (test/fixtures/kata-1.9-vectors/README.md)
// -------------------------------------------------------------------------------------

interface KParam {
  readonly key: string
  readonly value: string
}

export interface Spec {
  readonly name: string
  readonly description: string
  readonly arch: 'amd64' | 'arm64' | 'ppc64le' | 's390x'
  readonly id: string
  readonly uuid: string
  readonly machineType: string
  readonly machineAccelerators: string
  readonly qemuPath: string
  readonly qemuVersion?: { readonly major: number; readonly minor: number }
  readonly kernelPath: string
  readonly kernelParams: ReadonlyArray<KParam>
  readonly debug: boolean
  readonly initrdPath: string
  readonly image?: { readonly path: string; readonly size: number; readonly create?: boolean }
  readonly firmwarePath: string
  readonly vcpus: number
  readonly maxVcpus: number
  readonly memoryMiB: number
  readonly hostMemoryMiB: number
  readonly memSlots: number
  readonly memOffset: number
  readonly bridges: number
  readonly nested: boolean
  readonly disableNestingChecks: boolean
  readonly vhost: boolean
  readonly blockDeviceDriver: string
  readonly enableIOThreads: boolean
  readonly useVSock: boolean
  readonly entropySource: string
  readonly sharedFS: string
  readonly virtioFSCacheSize: number
  readonly knobs: {
    readonly daemonize: boolean
    readonly memPrealloc: boolean
    readonly hugePages: boolean
    readonly realtime: boolean
    readonly mlock: boolean
  }
  readonly fileBackedMemRootDir: string
  readonly template: {
    readonly bootToBeTemplate: boolean
    readonly bootFromTemplate: boolean
    readonly memoryPath: string
    readonly devicesStatePath: string
  }
  readonly consolePath: string
  readonly randomSeed: number
  readonly devices: ReadonlyArray<Record<string, unknown> & { readonly kind: string }>
}

export interface Result {
  readonly name: string
  readonly argv: ReadonlyArray<string> | null
  readonly error: string | null
  readonly errorStage: string | null
  readonly randomDraws: ReadonlyArray<string>
  readonly bridgeOps: ReadonlyArray<Record<string, unknown>> | null
}

/** The 42 specs: 01–40, typical and large. */
export const specKeys: ReadonlyArray<string> = [...Array.from({ length: 40 }, (_, i) => String(i + 1).padStart(2, '0')), 'typical', 'large']

const readJson = <A>(file: string): A => JSON.parse(readFileSync(join(vectorsDir, file), 'utf8')) as A

export const readSpec = (key: string): Spec => readJson<Spec>(`spec-${key}.json`)
export const readResult = (key: string): Result => readJson<Result>(`result-${key}.json`)

// -------------------------------------------------------------------------------------
// spec → configuration.toml + sandbox.json
// -------------------------------------------------------------------------------------

const toml = (v: string | number | boolean | ReadonlyArray<string>): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : String(v)

/** `SerializeParams` of the spec's params, as the text of `kernel_params` (katautils splits it on blanks). */
const kernelParamsText = (ps: ReadonlyArray<KParam>): string =>
  ps
    .flatMap((p) => (p.key === '' && p.value === '' ? [] : [p.key === '' ? p.value : p.value === '' ? p.key : `${p.key}=${p.value}`]))
    .join(' ')

/** The `[hypervisor.qemu]` table a user writes for this spec; empty strings are kept, as a user may write them. */
const configText = (s: Spec): string => {
  const keys: ReadonlyArray<readonly [string, string | number | boolean | ReadonlyArray<string>]> = [
    ['path', s.qemuPath],
    ['kernel', s.kernelPath],
    ['initrd', s.initrdPath],
    ['image', s.image?.path ?? ''],
    ['firmware', s.firmwarePath],
    ['machine_type', s.machineType],
    ['machine_accelerators', s.machineAccelerators],
    ['kernel_params', kernelParamsText(s.kernelParams)],
    ['default_vcpus', s.vcpus],
    ['default_maxvcpus', s.maxVcpus],
    ['default_memory', s.memoryMiB],
    ['memory_slots', s.memSlots],
    ['memory_offset', s.memOffset],
    ['default_bridges', s.bridges],
    ['disable_nesting_checks', s.disableNestingChecks],
    ['disable_vhost_net', !s.vhost],
    ['block_device_driver', s.blockDeviceDriver],
    ['enable_iothreads', s.enableIOThreads],
    ['entropy_source', s.entropySource],
    ['shared_fs', s.sharedFS],
    // katautils refuses virtio-fs without a daemon; the daemon is not on QEMU's command line
    ...(s.sharedFS === 'virtio-fs' ? [['virtio_fs_daemon', '/usr/bin/virtiofsd'] as const] : []),
    ['virtio_fs_cache_size', s.virtioFSCacheSize],
    ['enable_hugepages', s.knobs.hugePages],
    ['enable_mem_prealloc', s.knobs.memPrealloc],
    ['file_mem_backend', s.fileBackedMemRootDir],
    ['enable_swap', !s.knobs.mlock],
    ['enable_debug', s.debug],
    ['use_vsock', s.useVSock],
  ]
  return `# ${s.name}\n[hypervisor.qemu]\n${keys.map(([k, v]) => `${k} = ${toml(v)}`).join('\n')}\n`
}

const fds = (n: unknown, base: number): ReadonlyArray<number> => Array.from({ length: typeof n === 'number' ? n : 0 }, (_, i) => base + i)

type Translated<A> = { readonly ok: A } | { readonly reason: string }

const device = (s: Spec, d: Spec['devices'][number], i: number): Translated<Record<string, unknown>> => {
  const { kind, ...f } = d
  switch (kind) {
    case 'vsock':
      return { ok: { kind, contextId: f.contextId, ...(f.vhostFd !== undefined ? { vhostFd: f.vhostFd } : {}) } }
    case 'volume':
      return { ok: { kind, mountTag: f.mountTag, hostPath: f.hostPath } }
    case 'socket':
      return { ok: { kind, id: f.id, deviceId: f.deviceId, hostPath: f.hostPath, name: f.name } }
    case 'network':
      if (f.interworkingModel === 'none')
        return {
          reason: `devices[${i}]: the "none" interworking model, which Kata's xConnectVMNetwork refuses before launch (we refuse it when planning)`,
        }
      return {
        ok: {
          kind,
          endpoint: f.endpoint,
          tapName: f.tapName,
          mac: f.mac,
          ...(f.interworkingModel !== undefined ? { model: f.interworkingModel } : {}),
          fds: fds(f.vmFds, 100 + 20 * i),
          vhostFds: fds(f.vhostFds, 110 + 20 * i),
        },
      }
    case 'block':
      // bridgeType is Kata's hot-plug placement; outside s390x it does not change the argv
      if (f.bridgeType !== undefined && s.arch === 's390x')
        return { reason: `devices[${i}]: a block device placed on a bridge as on hot-plug (s390x, where it moves devnos)` }
      return { ok: { kind, id: f.id, file: f.file, format: f.format, shareRW: f.shareRW } }
    case 'vhostUser':
      return {
        ok: {
          kind,
          type: f.vhostUserType,
          devId: f.devId,
          socketPath: f.socketPath,
          ...(f.mac !== undefined ? { mac: f.mac } : {}),
          ...(f.tag !== undefined ? { tag: f.tag } : {}),
          ...(f.cacheSize !== undefined ? { cacheSize: f.cacheSize } : {}),
        },
      }
    case 'vfio':
      if (f.bdf === '')
        return { reason: `devices[${i}]: a VFIO device with an empty BDF, which govmm drops (a sandbox names a real device)` }
      return {
        ok: {
          kind,
          bdf: f.bdf,
          ...(f.vendorId !== undefined ? { vendorId: f.vendorId } : {}),
          ...(f.pciDeviceId !== undefined ? { deviceId: f.pciDeviceId } : {}),
        },
      }
    case 'rng':
      return {
        reason: `devices[${i}]: an rng device added by calling arch.appendRNGDevice directly (Kata's only RNG is rng0 from entropy_source)`,
      }
    case 'bridgeAdd':
    case 'bridgeRemove':
      return { reason: `devices[${i}]: ${kind}, a direct call of the bridge allocator (checked in the bridge-ops test instead)` }
    default:
      return { reason: `devices[${i}]: unknown kind ${kind}` }
  }
}

export interface Inputs {
  readonly configPath: string
  readonly sandboxPath: string
  readonly files: Readonly<Record<string, string>>
  /** Files that exist, with their sizes (the image when the spec creates it, the memory backend dir). */
  readonly sizes: Readonly<Record<string, number>>
  readonly config: string
  readonly sandbox: Record<string, unknown>
}

/** What a user writes for `s`, or why no user can write it (`r`, the spec's result, tells errors that only hot-plug raises). */
export const toInputs = (s: Spec, r?: Result): Translated<Inputs> => {
  const stage = /^devices\[(\d+)\]\/block$/.exec(r?.errorStage ?? '')
  if (stage && s.devices[Number(stage[1])]?.bridgeType !== undefined)
    return {
      reason: `${r?.error ?? ''} comes from the bridge placement Kata makes on hot-plug (devices[${stage[1]}] has a bridgeType); cold-plugged devices take no bridge slot`,
    }
  if (!/^[A-Za-z0-9._-]+$/.test(s.id))
    return {
      reason: `sandbox id ${JSON.stringify(s.id)}: strict ids (letters, digits, - . _) refuse it, since it names a directory and QEMU ids`,
    }
  if (s.knobs.realtime) return { reason: 'knobs.realtime: govmm Knobs.Realtime has no configuration key' }
  if (s.memSlots === 0) return { reason: 'memSlots 0: memory_slots = 0 means the default (10) in katautils, never "no slots="' }
  if (s.entropySource === '')
    return {
      reason:
        'entropySource "": katautils turns an empty entropy_source into /dev/urandom, so no configuration gives rng0 without filename=',
    }
  if (s.nested && (s.arch === 'arm64' || s.arch === 'ppc64le'))
    return { reason: `nested on ${s.arch}: Kata 1.9 evaluates RunningOnVMM only on amd64, so no real ${s.arch} host is nested for it` }
  if (s.maxVcpus === 0) return { reason: 'maxVcpus 0: the arch maximum of the oracle machine' }
  const devices: Array<Record<string, unknown>> = []
  for (const [i, d] of s.devices.entries()) {
    const r = device(s, d, i)
    if ('reason' in r) return r
    devices.push(r.ok)
  }
  const t = s.template
  const sandbox: Record<string, unknown> = {
    arch: s.arch,
    id: s.id,
    uuid: s.uuid,
    daemonize: s.knobs.daemonize,
    // katautils clamps default_vcpus and default_maxvcpus to the host's CPUs: a host with as many
    // CPUs as the spec asks for leaves both as the spec fixes them
    host: {
      memoryMiB: s.hostMemoryMiB,
      nested: s.nested,
      cpus: Math.max(1, s.vcpus, s.maxVcpus),
      ...(s.qemuVersion !== undefined ? { qemuVersion: s.qemuVersion } : {}),
    },
    ...(s.consolePath !== '' ? { consolePath: s.consolePath } : {}),
    ...(t.bootToBeTemplate || t.bootFromTemplate ? { template: t } : {}),
    devices,
  }
  const configPath = '/etc/kata-containers/configuration.toml'
  const sandboxPath = `/run/kata/${s.id.slice(0, 20)}/sandbox.json`
  const config = configText(s)
  return {
    ok: {
      configPath,
      sandboxPath,
      config,
      sandbox,
      files: { [configPath]: config, [sandboxPath]: `${JSON.stringify(sandbox, null, 2)}\n` },
      sizes: {
        ...(s.image !== undefined && s.image.create !== false ? { [s.image.path]: s.image.size } : {}),
        ...(s.fileBackedMemRootDir !== '' ? { [s.fileBackedMemRootDir]: 4096 } : {}),
        '/dev/shm': 4096,
      },
    },
  }
}

// -------------------------------------------------------------------------------------
// the ports the planner runs on
// -------------------------------------------------------------------------------------

/** An in-memory file system holding `files` (text) and `sizes` (what `stat` finds). */
export const memoryFs = (files: Readonly<Record<string, string>>, sizes: Readonly<Record<string, number>>): FileSystem => ({
  readText: (p) => (files[p] !== undefined ? TE.right(files[p] as string) : TE.left(io({ op: 'read', path: p, code: 'ENOENT' }))),
  size: (p) => (sizes[p] !== undefined ? TE.right(sizes[p] as number) : TE.left(imageNotFound({ path: p }))),
})

/**
 * The vectors' random stream: byte p is `(seed + p) mod 256`, handed out 8 bytes per draw in the
 * order the planner asks (one draw per key: asking again for a key gives the same bytes, as a
 * planner that reads one id twice would see).
 */
export const counterIds = (seed: number): Ids & { readonly draws: () => ReadonlyArray<string> } => {
  const drawn: Array<string> = []
  const byKey = new Map<string, string>()
  const source: IdSource = {
    hex16: (key) => {
      const hit = byKey.get(key)
      if (hit !== undefined) return hit
      const p = drawn.length * 8
      const hex = Array.from({ length: 8 }, (_, i) => ((seed + p + i) % 256).toString(16).padStart(2, '0')).join('')
      drawn.push(hex)
      byKey.set(key, hex)
      return hex
    },
  }
  return { ids: () => source, draws: () => drawn.slice() }
}

// -------------------------------------------------------------------------------------
// comparing with Kata's argv
// -------------------------------------------------------------------------------------

/**
 * Kata's argv as a user of configuration.toml gets it. Kata's argv is below katautils, so with an
 * image it gets the three systemd parameters katautils adds, right after `agent.use_vsock=…`
 * (before the user's own).
 */
export const throughKatautils = (s: Spec, argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (s.image === undefined) return argv
  const i = argv.indexOf('-append') + 1
  const systemd = systemdImageParams.map((p) => `${p.key}=${p.value}`).join(' ')
  return argv.map((a, j) => (j === i ? a.replace(/(agent\.use_vsock=(?:true|false))/, `$1 ${systemd}`) : a))
}

/**
 * Where our govmm argv (binary first) differs from Kata's for `s` once each doubled comma is read
 * back as one, or `undefined` when it does not: the vectors test's rule, for the benchmarks.
 */
export const firstDifference = (s: Spec, r: Result, ours: ReadonlyArray<string>): string | undefined => {
  if (r.argv === null) return `Kata failed: ${r.error ?? ''}`
  const theirs = throughKatautils(s, r.argv)
  if (ours.length !== theirs.length) return `${ours.length} strings, Kata ${theirs.length}`
  for (let i = 0; i < ours.length; i++) {
    const tok = ours[i] as string
    if (tok !== theirs[i] && tok.replaceAll(',,', ',') !== theirs[i]) return `[${i}] ${tok} ≠ ${theirs[i]}`
  }
  return undefined
}
