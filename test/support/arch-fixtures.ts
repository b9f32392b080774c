/**
 * Small fixtures for the per-arch unit tests: decoded configurations and sandboxes built from a
 * few keys, the arch state the planner's setup gives them, plans and argv, and `unsafe*` helpers
 * that throw (test only). `fixturesFor(arch)` gives the arch-specific ones; the rest are shared.
 */
import * as E from 'fp-ts/lib/Either.js'
import { newState } from '../../src/arch/base.ts'
import { draftDevices, emptyDraft } from '../../src/arch/draft.ts'
import { arches } from '../../src/arch/index.ts'
import { planSandbox } from '../../src/arch/planner.ts'
import type { ArchState, Draft, QemuArch } from '../../src/arch/types.ts'
import { toMessage, type PlanError } from '../../src/core/errors.ts'
import { seededIds } from '../../src/core/ids.ts'
import { decodeConfig, type HypervisorConfig } from '../../src/core/input/config.ts'
import { decodeSandbox, type Arch, type Sandbox } from '../../src/core/input/sandbox.ts'
import { render, type Rendered } from '../../src/core/render.ts'
import type { Device } from '../../src/core/devices/model.ts'
import type { Dialect } from '../../src/core/devices/profile.ts'
import { serializeParams } from '../../src/core/kernel.ts'
import type { Plan } from '../../src/core/vm.ts'

/** The right side, or a thrown error naming the `PlanError` (test only). */
export const unsafeRight = <A>(e: E.Either<PlanError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${toMessage(e.left)}`)
  return e.right
}

/** The left side, or a thrown error (test only). */
export const unsafeLeft = <A>(e: E.Either<PlanError, A>): PlanError => {
  if (E.isRight(e)) throw new Error(`expected Left, got ${JSON.stringify(e.right).slice(0, 200)}`)
  return e.left
}

export const kernel = '/usr/share/kata-containers/vmlinuz.container'
export const image = '/usr/share/kata-containers/kata-containers.img'
export const initrd = '/usr/share/kata-containers/kata-containers-initrd.img'

/** katautils refuses virtio-fs without a daemon; the daemon is not on QEMU's command line. */
export const virtiofsd = '/usr/libexec/kata-containers/virtiofsd'

/** `[hypervisor.qemu]` keys with an image, plus overrides (a key set to `undefined` is removed). */
export const configDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => {
  const q: Record<string, unknown> = { kernel, image, ...(over.shared_fs === 'virtio-fs' ? { virtio_fs_daemon: virtiofsd } : {}), ...over }
  for (const k of Object.keys(q)) if (q[k] === undefined) delete q[k]
  return { hypervisor: { qemu: q } }
}

export const config = (over: Record<string, unknown> = {}): HypervisorConfig => unsafeRight(decodeConfig(configDoc(over))).value

/**
 * The host each arch's fixtures plan on unless a test gives its own `host`. amd64: 240 CPUs, so
 * katautils' vCPU numbers are the amd64 maximum (as the planner's defaults without host.cpus), and
 * nesting, which amd64 requires. Elsewhere: 8 CPUs, no nesting fact, and on arm64 no GIC version
 * (`gic-version=host`, the vCPU maximum is the host's 8 CPUs).
 */
export const defaultHosts: Readonly<Record<Arch, Readonly<Record<string, unknown>>>> = {
  amd64: { memoryMiB: 32000, nested: false, cpus: 240 },
  arm64: { memoryMiB: 32000, cpus: 8 },
  ppc64le: { memoryMiB: 32000, cpus: 8 },
  s390x: { memoryMiB: 32000, cpus: 8 },
}

/** The value following `flag` at each of its occurrences. */
export const values = (args: ReadonlyArray<string>, flag: string): ReadonlyArray<string> =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1] as string] : []))

/** The fixtures of one arch. */
export interface ArchFixtures {
  readonly arch: QemuArch
  readonly sandboxDoc: (over?: Record<string, unknown>) => Record<string, unknown>
  readonly sandbox: (over?: Record<string, unknown>) => Sandbox
  /** The state after construction and `qemu.setup` (nesting where the arch detects it, vhost, bridges), as the planner builds it. */
  readonly stateFor: (configOver?: Record<string, unknown>, sandboxOver?: Record<string, unknown>) => ArchState
  readonly draftFor: (configOver?: Record<string, unknown>, sandboxOver?: Record<string, unknown>) => Draft
  /** `planSandbox` with `seededIds(1)` and the image's size. */
  readonly planFor: (
    configOver?: Record<string, unknown>,
    sandboxOver?: Record<string, unknown>,
    imageSizeBytes?: number,
  ) => E.Either<PlanError, Plan>
  readonly argvFor: (
    dialect: Dialect,
    configOver?: Record<string, unknown>,
    sandboxOver?: Record<string, unknown>,
    imageSizeBytes?: number,
  ) => E.Either<PlanError, Rendered>
}

/** Fixtures for `arch`: sandboxes of that arch, states and drafts of its record, plans and argv through the public planner. */
export const fixturesFor = (archName: Arch): ArchFixtures => {
  const arch = arches[archName]
  const sandboxDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    arch: archName,
    id: 'sb1',
    uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
    host: defaultHosts[archName],
    devices: [],
    ...over,
  })
  const sandbox = (over: Record<string, unknown> = {}): Sandbox => unsafeRight(decodeSandbox(sandboxDoc(over))).value
  const stateFor = (configOver: Record<string, unknown> = {}, sandboxOver: Record<string, unknown> = {}): ArchState => {
    const c = config(configOver)
    const s = sandbox(sandboxOver)
    let st = newState(arch, c, s)
    if (!c.disableNestingChecks && arch.spec.detectsNesting && s.host.nested) st = arch.enableNestingChecks(st)
    if (!c.disableVhostNet) st = arch.enableVhostNet(st)
    return arch.bridges(c.defaultBridges)(st)
  }
  const draftFor = (configOver: Record<string, unknown> = {}, sandboxOver: Record<string, unknown> = {}): Draft =>
    emptyDraft(stateFor(configOver, sandboxOver))
  const planFor = (
    configOver: Record<string, unknown> = {},
    sandboxOver: Record<string, unknown> = {},
    imageSizeBytes = 134217728,
  ): E.Either<PlanError, Plan> => planSandbox(config(configOver), sandbox(sandboxOver), { imageSizeBytes }, seededIds(1))
  const argvFor = (
    dialect: Dialect,
    configOver: Record<string, unknown> = {},
    sandboxOver: Record<string, unknown> = {},
    imageSizeBytes = 134217728,
  ): E.Either<PlanError, Rendered> => E.flatMap((p: Plan) => render(p, dialect))(planFor(configOver, sandboxOver, imageSizeBytes))
  return { arch, sandboxDoc, sandbox, stateFor, draftFor, planFor, argvFor }
}

/** A kernel parameter list as the command line shows it. */
export const paramLine = (ps: Parameters<typeof serializeParams>[0]): string => serializeParams(ps).join(' ')

/** The last device drafted. */
export const lastDevice = (d: Draft): Device => draftDevices(d)[draftDevices(d).length - 1] as Device

/** Run steps in order, throwing on the first `Left` (test only). */
export const runSteps = (d: Draft, ...steps: ReadonlyArray<(d: Draft) => E.Either<unknown, Draft>>): Draft =>
  steps.reduce((acc, f) => {
    const r = f(acc)
    if (E.isLeft(r)) throw new Error(`step failed: ${JSON.stringify(r.left)}`)
    return r.right
  }, d)

/** The `-device` (or other `flag`) values of an argv that start with `prefix`. */
export const switchesStarting = (args: ReadonlyArray<string>, flag: string, prefix: string): ReadonlyArray<string> =>
  values(args, flag).filter((v) => v.startsWith(prefix))

/** A sandbox with one device of every kind that goes on a PCI bus, in the order Kata adds them. */
export const everyPciKind: ReadonlyArray<Record<string, unknown>> = [
  { kind: 'vsock', contextId: 3054198027, vhostFd: 10 },
  { kind: 'volume', mountTag: 'kataShared', hostPath: '/shared' },
  { kind: 'socket', id: 'charch0', deviceId: 'channel0', hostPath: '/k.sock', name: 'agent.channel.0' },
  { kind: 'network', endpoint: 'veth', tapName: 'tap0_kata', mac: '02:42:ac:11:00:02', fds: [12], vhostFds: [11] },
  { kind: 'block', id: 'drive-0', file: '/d', format: 'raw' },
  { kind: 'vhostUser', type: 'net', devId: 'abcdef', socketPath: '/vu.sock', mac: '02:00:00:00:00:01' },
  { kind: 'vfio', bdf: '02:10.0' },
]

/** Where each device landed: `id@bus:slot` (a bridge at its own address), `id@-` off the PCI buses. */
export const landings = (ds: ReadonlyArray<Device>): ReadonlyArray<string> =>
  ds.map(
    (d) =>
      `${d.id}@${d._tag === 'Bridge' ? `${d.bus}:${d.addr}` : 'placement' in d && d.placement._tag === 'Pci' ? `${d.placement.bus}:${d.placement.slot}` : '-'}`,
  )
