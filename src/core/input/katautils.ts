/**
 * What Kata 1.9's `katautils` does between `configuration.toml` and the hypervisor, as pure
 * functions: the built-in defaults (`pkg/katautils/config-settings.go`), the per-key rules of
 * `pkg/katautils/config.go` (an empty string is "not set"; `defaultVCPUs`, `defaultMaxVCPUs`,
 * `defaultMemSz`, `defaultBridges`, `machineAccelerators`, …), the kernel-parameter split
 * (`strings.Fields` + `DeserializeParams` + `AddKernelParam`), and the arch's `MaxQemuVCPUs`.
 * All of it is cited from kata-containers/runtime at e93bf967.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidConfig, type InvalidConfig } from '../errors.ts'
import { param, type Param } from '../kernel.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * katautils' built-in defaults (kata-containers/runtime pkg/katautils/config-settings.go), for
 * the keys whose default is not "off", 0 or empty.
 *
 * @since 0.2.0
 * @category model
 */
export const katautilsDefaults = {
  kernel: '/usr/share/kata-containers/vmlinuz.container',
  defaultVcpus: 1,
  memoryMiB: 2048,
  memorySlots: 10,
  defaultBridges: 1,
  blockDeviceDriver: 'virtio-scsi',
  entropySource: '/dev/urandom',
  sharedFs: 'virtio-9p',
  msize9p: 8192,
} as const

/** katautils `maxPCIBridges`: `default_bridges` above it is cut to it. @since 0.2.0 @category model */
export const maxPCIBridges = 5

/** `defaultMemSz`: a `default_memory` below this many MiB means the default. @since 0.2.0 @category model */
export const minMemoryMiB = 8

/** What `qemu-plan` knows of the host CPUs when it plans vCPUs. @since 0.2.0 @category model */
export interface VcpuPlan {
  /** `NumVCPUs` after katautils. */
  readonly vcpus: number
  /** `DefaultMaxVCPUs` after katautils (also `nr_cpus=`). */
  readonly maxVcpus: number
  readonly warnings: ReadonlyArray<string>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Go's `unicode.IsSpace` (what `strings.Fields` splits on). */
const goSpace = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

/**
 * Go's `strings.Fields`: the words of `s` between runs of Unicode white space.
 *
 * @example
 * import { goFields } from 'qemu-plan'
 * assert.deepStrictEqual(goFields(' a=b\n\tc '), ['a=b', 'c'])
 * @since 0.2.0
 * @category utils
 */
export const goFields = (s: string): ReadonlyArray<string> => s.split(goSpace).filter((w) => w !== '')

/**
 * `kernel_params` as katautils reads it: `strings.Fields`, then `DeserializeParams` (split at the
 * first `=`), then `AddKernelParam`, which refuses an empty key (a word starting with `=`).
 *
 * @see kata katautils.SetKernelParams, virtcontainers.DeserializeParams, HypervisorConfig.AddKernelParam
 * @since 0.2.0
 * @category constructors
 */
export const kernelParams = (text: string): E.Either<InvalidConfig, ReadonlyArray<Param>> => {
  const out: Array<Param> = []
  for (const w of goFields(text)) {
    const eq = w.indexOf('=')
    const p = eq < 0 ? param(w) : param(w.slice(0, eq), w.slice(eq + 1))
    if (p.key === '')
      return E.left(
        invalidConfig({
          field: 'hypervisor.qemu.kernel_params',
          reason: `Empty kernel parameter (the word ${JSON.stringify(w)} has no key)`,
        }),
      )
    out.push(p)
  }
  return E.right(out)
}

/**
 * `hypervisor.machineAccelerators()`: split on `,`, drop empty items, trim `\r\t\n ` around each,
 * join with `,`, trim `,` at both ends.
 *
 * @example
 * import { machineAccelerators } from 'qemu-plan'
 * assert.strictEqual(machineAccelerators(',nosmm, kernel_irqchip=on\n'), 'nosmm,kernel_irqchip=on')
 * @since 0.2.0
 * @category utils
 */
export const machineAccelerators = (s: string): string =>
  s
    .split(',')
    .filter((x) => x !== '')
    .map((x) => x.replace(/^[\r\t\n ]+|[\r\t\n ]+$/g, ''))
    .join(',')
    .replace(/^,+|,+$/g, '')

/**
 * `hypervisor.defaultVCPUs()`: negative or more than the host's CPUs → the host's CPUs; 0 → 1.
 * Not bounded by the maximum: a `default_vcpus` above `default_maxvcpus` reaches govmm, which
 * refuses it (`MaxCPUs 4 must be equal to or greater than CPUs 8`).
 *
 * @example
 * import { defaultVCPUs } from 'qemu-plan'
 * assert.deepStrictEqual([defaultVCPUs(0, 4), defaultVCPUs(-1, 4), defaultVCPUs(9, 4), defaultVCPUs(2, 4)], [1, 4, 4, 2])
 * @since 0.2.0
 * @category planning
 */
export const defaultVCPUs = (numVCPUs: number, hostCpus: number): number =>
  numVCPUs < 0 || numVCPUs > hostCpus ? hostCpus : numVCPUs === 0 ? katautilsDefaults.defaultVcpus : numVCPUs

/**
 * `hypervisor.defaultMaxVCPUs()`: 0 or at least the host's CPUs → the host's CPUs; then at most the
 * arch's `MaxQemuVCPUs()`.
 *
 * @example
 * import { defaultMaxVCPUs } from 'qemu-plan'
 * assert.deepStrictEqual([defaultMaxVCPUs(0, 4, 240), defaultMaxVCPUs(2, 4, 240), defaultMaxVCPUs(0, 300, 240)], [4, 2, 240])
 * @since 0.2.0
 * @category planning
 */
export const defaultMaxVCPUs = (requested: number, hostCpus: number, archMax: number): number => {
  const req = requested >= hostCpus || requested === 0 ? hostCpus : requested
  return req > archMax ? archMax : req
}

/**
 * The arch's `MaxQemuVCPUs()`: a constant on amd64 (240), ppc64le (128) and s390x (248); on arm64
 * 8 with GICv2, 123 with GICv3/v4, and the host's CPU count when the GIC version is unknown
 * (qemu_arm64.go). `known` is the arch's value for a known GIC (`ArchSpec.maxVCpus`).
 *
 * @since 0.2.0
 * @category planning
 */
export const maxQemuVCPUs = (
  arch: string,
  host: { readonly gicVersion?: number | undefined; readonly cpus?: number | undefined },
  known: number,
): number => (arch === 'arm64' && host.gicVersion === undefined && host.cpus !== undefined ? host.cpus : known)

/**
 * katautils' vCPU numbers for a host: `default_vcpus` and `default_maxvcpus` resolved against the
 * host's CPU count (`runtime.NumCPU()`) and the arch maximum. Without `host.cpus` the arch maximum
 * stands in for the host's CPUs, with a warning.
 *
 * @since 0.2.0
 * @category planning
 */
export const vcpuPlan = (
  config: { readonly defaultVcpus: number; readonly defaultMaxVcpus: number },
  arch: string,
  host: { readonly gicVersion?: number | undefined; readonly cpus?: number | undefined },
  knownMax: number,
): VcpuPlan => {
  const archMax = maxQemuVCPUs(arch, host, knownMax)
  const cpus = host.cpus ?? archMax
  return {
    vcpus: defaultVCPUs(config.defaultVcpus, cpus),
    maxVcpus: defaultMaxVCPUs(config.defaultMaxVcpus, cpus, archMax),
    warnings:
      host.cpus === undefined
        ? [
            `host.cpus is not given: default_vcpus and default_maxvcpus are resolved as if the host had ${archMax} CPUs (the ${arch} maximum); set host.cpus to plan what Kata plans on a real host`,
          ]
        : [],
  }
}
