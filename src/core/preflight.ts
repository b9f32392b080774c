/**
 * What Kata 1.9 checked before it launched QEMU, as typed errors and warnings of the pure core:
 * unix socket paths that do not fit `sun_path` (`utils.BuildSocketPath`, `MaxSocketPathLen`),
 * a file-backed memory location that does not exist (`qemu.setupFileBackedMem` then plans no
 * file-backed memory), and arithmetic on sizes that QEMU or JavaScript cannot hold.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidConfig, pathTooLong, type InvalidConfig, type PathTooLong } from './errors.ts'
import { utf8Length } from './ids.ts'
import type { HypervisorConfig } from './input/config.ts'
import type { Sandbox } from './input/sandbox.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** `utils.MaxSocketPathLen`: `sun_path` is 108 bytes with the terminating NUL. @since 0.2.0 @category model */
export const maxSocketPathLen = 107

/**
 * The largest `maxmem` QEMU can hold: it parses `-m maxmem=` into a `uint64` count of bytes, so
 * at most 2^64 - 1 bytes, i.e. 2^44 - 1 MiB (a safe integer).
 *
 * @since 0.2.0
 * @category model
 */
export const maxQemuMemMiB = 2 ** 44 - 1

/** A unix socket the VM will use, and the input field that decides its path. @since 0.2.0 @category model */
export interface SocketPath {
  readonly field: string
  readonly path: string
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

/**
 * Every unix socket path of a sandbox, in the order Kata builds them: QMP, console, the virtio-fs
 * daemon's socket, then the sandbox's socket and vhost-user devices.
 *
 * @since 0.2.0
 * @category utils
 */
export const socketPaths = (config: Pick<HypervisorConfig, 'sharedFs'>, sandbox: Sandbox): ReadonlyArray<SocketPath> => {
  const dir = `${sandbox.runDir}/${sandbox.id}`
  const where = 'runDir + id'
  const out: Array<SocketPath> = [
    { field: where, path: `${dir}/qmp.sock` },
    sandbox.consolePath !== undefined ? { field: 'consolePath', path: sandbox.consolePath } : { field: where, path: `${dir}/console.sock` },
  ]
  if (config.sharedFs === 'virtio-fs' && sandbox.devices.some((d) => d.kind === 'volume'))
    out.push({ field: where, path: `${dir}/vhost-fs.sock` })
  sandbox.devices.forEach((d, i) => {
    if (d.kind === 'socket') out.push({ field: `devices.${i}.hostPath`, path: d.hostPath })
    if (d.kind === 'vhostUser') out.push({ field: `devices.${i}.socketPath`, path: d.socketPath })
  })
  return out
}

/**
 * Whether every socket path of `socketPaths` fits, counted without building the paths (every plan
 * asks; nearly every answer is yes). It counts the longest name Kata puts under `runDir/id`
 * (`vhost-fs.sock`) whether or not it is used, so a no only means the paths must be looked at one
 * by one.
 */
const surelyShortEnough = (sandbox: Sandbox): boolean => {
  if (utf8Length(sandbox.runDir) + 1 + utf8Length(sandbox.id) + longestFixedName > maxSocketPathLen) return false
  if (sandbox.consolePath !== undefined && utf8Length(sandbox.consolePath) > maxSocketPathLen) return false
  for (const d of sandbox.devices) {
    if (d.kind === 'socket' && utf8Length(d.hostPath) > maxSocketPathLen) return false
    if (d.kind === 'vhostUser' && utf8Length(d.socketPath) > maxSocketPathLen) return false
  }
  return true
}

const longestFixedName = '/vhost-fs.sock'.length

/**
 * The first socket path longer than `MaxSocketPathLen` bytes is `PathTooLong` (Kata: `path too
 * long (got 120, max 107)`).
 *
 * @see kata utils.BuildSocketPath
 * @since 0.2.0
 * @category planning
 */
export const checkSocketPaths = (config: Pick<HypervisorConfig, 'sharedFs'>, sandbox: Sandbox): E.Either<PathTooLong, void> => {
  if (surelyShortEnough(sandbox)) return E.right(undefined)
  for (const s of socketPaths(config, sandbox)) {
    const n = utf8Length(s.path)
    if (n > maxSocketPathLen) return E.left(pathTooLong({ field: s.field, path: s.path, length: n, max: maxSocketPathLen }))
  }
  return E.right(undefined)
}

/**
 * `maxmem` = host memory + `memory_offset` + 1024 MiB (the NVDIMM headroom) must be a size QEMU
 * can hold; the sum is checked before any arch computes it.
 *
 * @since 0.2.0
 * @category planning
 */
export const checkMemory = (
  config: Pick<HypervisorConfig, 'memoryOffsetMiB' | 'memoryMiB'>,
  sandbox: Sandbox,
): E.Either<InvalidConfig, void> => {
  const sum = sandbox.host.memoryMiB + config.memoryOffsetMiB + 1024
  return sum > maxQemuMemMiB
    ? E.left(
        invalidConfig({
          field: 'hypervisor.qemu.memory_offset',
          reason: `maxmem would be ${sandbox.host.memoryMiB} (host.memoryMiB) + ${config.memoryOffsetMiB} + 1024 MiB, more than QEMU can hold (${maxQemuMemMiB} MiB)`,
        }),
      )
    : E.right(undefined)
}

/** Both pre-launch checks. @since 0.2.0 @category planning */
export const preflight = (config: HypervisorConfig, sandbox: Sandbox): E.Either<PathTooLong | InvalidConfig, void> => {
  const s = checkSocketPaths(config, sandbox)
  return s._tag === 'Left' ? s : checkMemory(config, sandbox)
}

/**
 * Where file-backed memory would live (`file_mem_backend`, or `/dev/shm` for virtio-fs), when the
 * configuration asks for it.
 *
 * @see kata qemu.setupFileBackedMem, fallbackFileBackedMemDir
 * @since 0.2.0
 * @category utils
 */
export const memoryBackendPath = (config: Pick<HypervisorConfig, 'sharedFs' | 'fileMemBackend'>): string | undefined =>
  config.fileMemBackend ?? (config.sharedFs === 'virtio-fs' ? '/dev/shm' : undefined)

/** The warning when that location does not exist and Kata's plan has no file-backed memory. @since 0.2.0 @category utils */
export const missingBackendWarning = (config: Pick<HypervisorConfig, 'sharedFs' | 'fileMemBackend'>): string =>
  `file-backed memory location ${memoryBackendPath(config) ?? ''} does not exist: guest memory is not file-backed or shared (as Kata's setupFileBackedMem)${
    config.sharedFs === 'virtio-fs' ? ', which virtio-fs needs' : ''
  }`
