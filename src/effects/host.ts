/**
 * The running host's facts, read as Kata 1.9 read them, for the sandbox's `host` when it leaves one
 * out: `memoryMiB` from `/proc/meminfo` (MemTotal, kB / 1024), `cpus` from
 * `os.availableParallelism()` (Go's `runtime.NumCPU()` counts the CPUs the process may run on),
 * `nested` from the `hypervisor` flag in `/proc/cpuinfo` (`RunningOnVMM`, amd64 only), and the GIC
 * version from `/proc/interrupts` (`getHostGICVersion`, arm64 only; 0 when it names none Kata
 * knows). A fact that cannot be read is `HostFactUnavailable`, naming the fact and what supplies
 * it: never a guess. Files are read through the `FileSystem` port, so tests use an in-memory one.
 *
 * @since 0.2.0
 */
import { availableParallelism } from 'node:os'
import { pipe } from 'fp-ts/lib/function.js'
import type * as T from 'fp-ts/lib/Task.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { hostFactUnavailable, type PlanError } from '../core/errors.ts'
import { isRecord } from '../core/input/decode.ts'
import { Arch } from '../core/input/sandbox.ts'
import type { FileSystem } from './ports.ts'

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

/** What the machine says that is not a file. @since 0.2.0 @category ports */
export interface Machine {
  /** `runtime.NumCPU()`. */
  readonly cpus: () => number
  /** The running host's arch in Kata's names (`amd64`, `arm64`, `ppc64le`, `s390x`), or Node's name for others. */
  readonly arch: string
  /** Where notes about filled facts go (stderr in the CLI). */
  readonly note: (message: string) => void
}

const nodeArch: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' }

/** @since 0.2.0 @category adapters */
export const nodeMachine: Machine = {
  cpus: () => availableParallelism(),
  arch: nodeArch[process.arch] ?? process.arch,
  note: (m) => process.stderr.write(`note: ${m}\n`),
}

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The host facts in the sandbox's `host` shape. @since 0.2.0 @category model */
export interface HostFacts {
  readonly memoryMiB?: number
  readonly cpus?: number
  readonly nested?: boolean
  readonly gicVersion?: 0 | 2 | 3 | 4
}

// -------------------------------------------------------------------------------------
// parsers (pure)
// -------------------------------------------------------------------------------------

/** `MemTotal` of `/proc/meminfo` in MiB (Kata: kB / 1024, truncated), or `undefined`. @since 0.2.0 @category utils */
export const memTotalMiB = (meminfo: string): number | undefined => {
  const m = /^MemTotal:\s+(\d+)\s+kB$/m.exec(meminfo)
  return m ? Math.floor(Number(m[1]) / 1024) : undefined
}

/** Kata's `RunningOnVMM`: a `flags` line of `/proc/cpuinfo` lists `hypervisor`. @since 0.2.0 @category utils */
export const runningOnVMM = (cpuinfo: string): boolean =>
  cpuinfo.split('\n').some(
    (l) =>
      /^flags\s*:/.test(l) &&
      l
        .slice(l.indexOf(':') + 1)
        .split(/\s+/)
        .includes('hypervisor'),
  )

/** Kata's `getHostGICVersion`: the first of GICv2, GICv3, GICv4 that `/proc/interrupts` names, else 0. @since 0.2.0 @category utils */
export const gicVersionOf = (interrupts: string): 0 | 2 | 3 | 4 =>
  interrupts.includes('GICv2') ? 2 : interrupts.includes('GICv3') ? 3 : interrupts.includes('GICv4') ? 4 : 0

// -------------------------------------------------------------------------------------
// programs
// -------------------------------------------------------------------------------------

const codeOf = (e: PlanError): string => (e._tag === 'Io' ? e.code : e._tag === 'ImageNotFound' ? 'ENOENT' : e._tag)

const read = <A>(
  fs: FileSystem,
  fact: string,
  source: string,
  supply: string,
  parse: (text: string) => A | undefined,
): TE.TaskEither<PlanError, A> =>
  pipe(
    fs.readText(source),
    TE.mapLeft((e) => hostFactUnavailable({ fact, source, code: codeOf(e), supply })),
    TE.flatMap((text) => {
      const v = parse(text)
      return v === undefined ? TE.left(hostFactUnavailable({ fact, source, code: 'no MemTotal line', supply })) : TE.right(v)
    }),
  )

/** `memoryMiB` of the running host. @since 0.2.0 @category adapters */
export const readMemoryMiB = (fs: FileSystem): TE.TaskEither<PlanError, number> =>
  read(fs, 'host.memoryMiB', '/proc/meminfo', 'host.memoryMiB in the sandbox', memTotalMiB)

/** `nested` of the running host (amd64). @since 0.2.0 @category adapters */
export const readNested = (fs: FileSystem): TE.TaskEither<PlanError, boolean> =>
  read(fs, 'host.nested', '/proc/cpuinfo', 'host.nested in the sandbox', runningOnVMM)

/** The GIC version of the running host (arm64). @since 0.2.0 @category adapters */
export const readGicVersion = (fs: FileSystem): TE.TaskEither<PlanError, 0 | 2 | 3 | 4> =>
  read(fs, 'host.gicVersion', '/proc/interrupts', 'host.gicVersion in the sandbox (0 when the host has none Kata knows)', gicVersionOf)

/**
 * The running host's facts, as `qemu-plan host` prints them: memory and CPUs always, nesting on
 * amd64, the GIC version on arm64 (the facts Kata reads on that arch).
 *
 * @since 0.2.0
 * @category adapters
 */
export const readHostFacts = (fs: FileSystem, m: Machine): TE.TaskEither<PlanError, HostFacts> =>
  pipe(
    readMemoryMiB(fs),
    TE.flatMap((memoryMiB) =>
      pipe(
        m.arch === 'amd64'
          ? pipe(
              readNested(fs),
              TE.map((nested): HostFacts => ({ nested })),
            )
          : TE.right<PlanError, HostFacts>({}),
        TE.flatMap((n) =>
          m.arch === 'arm64'
            ? pipe(
                readGicVersion(fs),
                TE.map((gicVersion): HostFacts => ({ ...n, gicVersion })),
              )
            : TE.right(n),
        ),
        TE.map((rest): HostFacts => ({ memoryMiB, cpus: m.cpus(), ...rest })),
      ),
    ),
  )

/**
 * Fill the facts a sandbox document leaves out of `host` from the running host, one note per fact
 * filled: `memoryMiB` and `cpus` always, `nested` for an amd64 sandbox, `gicVersion` for an arm64
 * one (the facts Kata reads for that arch). A document that is not an object, whose `arch` is not
 * one qemu-plan plans, or whose `host` is not an object, is left for the decoder to refuse (so its
 * error comes without notes about facts read for nothing).
 *
 * @since 0.2.0
 * @category adapters
 */
export const fillHostFacts = (doc: unknown, fs: FileSystem, m: Machine): TE.TaskEither<PlanError, unknown> => {
  if (!isRecord(doc) || !Arch.is(doc.arch) || (doc.host !== undefined && !isRecord(doc.host))) return TE.right(doc)
  const host: Record<string, unknown> = { ...(doc.host ?? {}) }
  const filled =
    (key: string, how: string) =>
    <A>(v: A): A => {
      host[key] = v
      m.note(`host.${key} = ${JSON.stringify(v)} (not in the sandbox: read from ${how})`)
      return v
    }
  const steps: Array<TE.TaskEither<PlanError, unknown>> = []
  if (host.memoryMiB === undefined) steps.push(pipe(readMemoryMiB(fs), TE.map(filled('memoryMiB', '/proc/meminfo'))))
  if (host.cpus === undefined) steps.push(TE.fromIO(() => filled('cpus', 'os.availableParallelism()')(m.cpus())))
  if (host.nested === undefined && doc.arch === 'amd64')
    steps.push(pipe(readNested(fs), TE.map(filled('nested', 'the hypervisor flag in /proc/cpuinfo'))))
  if (host.gicVersion === undefined && doc.arch === 'arm64')
    steps.push(pipe(readGicVersion(fs), TE.map(filled('gicVersion', '/proc/interrupts'))))
  return steps.length === 0
    ? TE.right(doc)
    : pipe(
        TE.sequenceSeqArray(steps),
        TE.map(() => ({ ...doc, host })),
      )
}

/**
 * Whether a path exists (`stat` succeeds), as Kata's `os.Stat` checks of the file-backed memory
 * location and the binary.
 *
 * @since 0.2.0
 * @category adapters
 */
export const exists = (fs: FileSystem, path: string): TE.TaskEither<never, boolean> =>
  pipe(
    fs.size(path),
    TE.match(
      () => false,
      () => true,
    ),
    TE.fromTask,
  )

/**
 * A warning when the QEMU binary a plan names does not exist on this host (Kata's katautils
 * resolved `path` and failed without it), or `undefined`.
 *
 * @since 0.2.0
 * @category adapters
 */
export const missingBinary = (fs: FileSystem, binary: string): T.Task<string | undefined> =>
  pipe(
    fs.size(binary),
    TE.match(
      () =>
        binary.startsWith('/') ? `QEMU binary ${binary} does not exist on this host (install it, or set hypervisor.qemu.path)` : undefined,
      () => undefined,
    ),
  )
