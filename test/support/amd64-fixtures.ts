/**
 * Small fixtures for the amd64 unit tests: decoded configurations and sandboxes built from a few
 * keys, the arch state `newState` gives them, and `unsafe*` helpers that throw (test only).
 */
import * as E from 'fp-ts/lib/Either.js'
import { amd64 } from '../../src/arch/amd64.ts'
import { newState } from '../../src/arch/base.ts'
import { emptyDraft } from '../../src/arch/draft.ts'
import { planSandbox } from '../../src/arch/planner.ts'
import type { ArchState, Draft } from '../../src/arch/types.ts'
import { toMessage, type PlanError } from '../../src/core/errors.ts'
import { seededIds } from '../../src/core/ids.ts'
import { decodeConfig, type HypervisorConfig } from '../../src/core/input/config.ts'
import { decodeSandbox, type Sandbox } from '../../src/core/input/sandbox.ts'
import { render, type Rendered } from '../../src/core/render.ts'
import type { Dialect } from '../../src/core/devices/profile.ts'
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

export const sandboxDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  arch: 'amd64',
  id: 'sb1',
  uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
  // 240 CPUs: katautils' vCPU numbers are then the amd64 maximum, as the planner's defaults without host.cpus
  host: { memoryMiB: 32000, nested: false, cpus: 240 },
  devices: [],
  ...over,
})

export const sandbox = (over: Record<string, unknown> = {}): Sandbox => unsafeRight(decodeSandbox(sandboxDoc(over))).value

/** The amd64 state after construction and `qemu.setup` (nesting, vhost, bridges), as the planner builds it. */
export const stateFor = (configOver: Record<string, unknown> = {}, sandboxOver: Record<string, unknown> = {}): ArchState => {
  const c = config(configOver)
  const s = sandbox(sandboxOver)
  let st = newState(amd64, c, s)
  if (!c.disableNestingChecks && s.host.nested) st = amd64.enableNestingChecks(st)
  if (!c.disableVhostNet) st = amd64.enableVhostNet(st)
  return amd64.bridges(c.defaultBridges)(st)
}

export const draftFor = (configOver: Record<string, unknown> = {}, sandboxOver: Record<string, unknown> = {}): Draft => emptyDraft(stateFor(configOver, sandboxOver))

export const planFor = (configOver: Record<string, unknown> = {}, sandboxOver: Record<string, unknown> = {}, imageSizeBytes = 134217728): E.Either<PlanError, Plan> =>
  planSandbox(config(configOver), sandbox(sandboxOver), { imageSizeBytes }, seededIds(1))

export const argvFor = (
  dialect: Dialect,
  configOver: Record<string, unknown> = {},
  sandboxOver: Record<string, unknown> = {},
  imageSizeBytes = 134217728,
): E.Either<PlanError, Rendered> => E.flatMap((p: Plan) => render(p, dialect))(planFor(configOver, sandboxOver, imageSizeBytes))

/** The value following `flag` at each of its occurrences. */
export const values = (args: ReadonlyArray<string>, flag: string): ReadonlyArray<string> =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1] as string] : []))
