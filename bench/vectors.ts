/**
 * The like-for-like inputs: the Kata 1.9 vectors' `spec-typical.json` and `spec-large.json`
 * (test/fixtures/kata-1.9-vectors), the very specs the original Go code's benchmark plans, turned
 * into `configuration.toml` + `sandbox.json` by the vectors test's translation
 * (test/support/kata-vectors.ts) and decoded through the public input types. Before anything is
 * timed, each input is planned with the vectors' random stream and rendered, and the argv must
 * equal the vector's (doubled commas read back as one, katautils' systemd parameters added), and
 * the timed function's own output must equal it too once its random iothread id is masked.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { planSandbox } from '../src/arch/planner.ts'
import { amd64 } from '../src/arch/amd64.ts'
import { seededIds } from '../src/core/ids.ts'
import { decodeConfig, type HypervisorConfig } from '../src/core/input/config.ts'
import { decodeSandbox, type Sandbox } from '../src/core/input/sandbox.ts'
import { render } from '../src/core/render.ts'
import type { Plan } from '../src/core/vm.ts'
import { nodeServiceEnv, planSandboxText } from '../src/effects/service.ts'
import { counterIds, firstDifference, readResult, readSpec, toInputs, type Result, type Spec } from '../test/support/kata-vectors.ts'
import { ok } from './inputs.ts'

export interface VectorInput {
  readonly key: string
  readonly spec: Spec
  readonly result: Result
  readonly config: HypervisorConfig
  readonly sandbox: Sandbox
  /** The sandbox.json text a user writes for the spec. */
  readonly sandboxText: string
  readonly imageSizeBytes: number
}

/** Decode one vector spec through the public input types (untimed). */
export const vectorInput = (key: 'typical' | 'large'): VectorInput => {
  const spec = readSpec(key)
  const result = readResult(key)
  const t = toInputs(spec, result)
  if ('reason' in t) throw new Error(`spec-${key}: ${t.reason}`)
  const sandboxText = t.ok.files[t.ok.sandboxPath] as string
  return {
    key,
    spec,
    result,
    sandboxText,
    config: ok(decodeConfig(parseToml(t.ok.config))).value,
    sandbox: ok(decodeSandbox(JSON.parse(sandboxText))).value,
    imageSizeBytes: spec.image?.size ?? 0,
  }
}

const ids = seededIds(1)

/** The timed work of the typical and large rows: plan (image size known, seeded ids) and render govmm's argv. */
export const planVector = (v: VectorInput): Plan => ok(planSandbox(v.config, v.sandbox, { imageSizeBytes: v.imageSizeBytes }, ids))
export const planAndRenderVector = (v: VectorInput): number => ok(render(planVector(v), 'govmm')).args.length

const maskIds = (xs: ReadonlyArray<string>): ReadonlyArray<string> => xs.map((x) => x.replace(/iothread-[0-9a-f]{16}/g, 'iothread-X'))

/**
 * Throw unless `v` plans to the vector's argv: first exactly (the vectors' counter random stream),
 * then through `timed`, whose argv must equal it with the random iothread id masked.
 */
export const checkVector = (v: VectorInput, timed: () => Plan = () => planVector(v), rename: (arg: string) => string = (x) => x): void => {
  const exact = ok(planSandbox(v.config, v.sandbox, { imageSizeBytes: v.imageSizeBytes }, counterIds(v.spec.randomSeed).ids()))
  const r = ok(render(exact, 'govmm'))
  const diff = firstDifference(v.spec, v.result, [r.binary, ...r.args])
  if (diff !== undefined) throw new Error(`spec-${v.key}: our argv differs from Kata's: ${diff}`)
  const t = ok(render(timed(), 'govmm'))
  const diff2 = firstDifference(v.spec, { ...v.result, argv: maskIds(v.result.argv ?? []) }, maskIds([t.binary, ...t.args].map(rename)))
  if (diff2 !== undefined) throw new Error(`spec-${v.key}: the timed argv differs from Kata's: ${diff2}`)
}

// -------------------------------------------------------------------------------------
// "large" with the Go benchmark's placement
// -------------------------------------------------------------------------------------

/**
 * The Go benchmark calls `addDeviceToBridge(drive.ID, "pci")` before appending each of the 150
 * drives (the spec's `bridgeType`, as Kata's `hotplugAddBlockDevice` did), so all 150 go through
 * the bridge allocator and fill the 5 × 30 bridge slots. Our planner puts a drive on the lowest
 * free root-bus slot first (19 of them), then on the bridges. This swaps, in the calling process
 * only, amd64's `placeDevice` for one that sends the given ids straight to `addDeviceToBridge`,
 * as the Go harness did; every other device is placed as before. The argv is the same (govmm
 * prints no placement). Run it in a process of its own: it changes a shared record.
 */
export const installGoPlacement = (driveIds: ReadonlySet<string>): void => {
  const original = amd64.placeDevice
  const rec = amd64 as { placeDevice: typeof amd64.placeDevice }
  rec.placeDevice = (id) =>
    driveIds.has(id)
      ? (s) => {
          const r = amd64.addDeviceToBridge(id, 'pci')(s)
          return r._tag === 'Left'
            ? r
            : { _tag: 'Right', right: [r.right[0], { _tag: 'Pci', bus: r.right[1].bridge.id, slot: r.right[1].slot }] as const }
        }
      : original(id)
}

/** Where the drives of a plan landed. */
export const drivePlacement = (p: Plan): { readonly drives: number; readonly onRootBus: number; readonly behindBridges: number } => {
  const drives = p.devices.filter((d) => d._tag === 'Block')
  const onRootBus = drives.filter((d) => d._tag === 'Block' && d.placement._tag === 'Pci' && d.placement.bus === 'pcie.0').length
  return { drives: drives.length, onRootBus, behindBridges: drives.length - onRootBus }
}

// -------------------------------------------------------------------------------------
// the embedded-service row
// -------------------------------------------------------------------------------------

/**
 * A service's per-sandbox work on the typical spec: decode the sandbox JSON text, `stat` a real
 * 128 MiB sparse image, draw the iothread id from the OS CSPRNG, plan, render. The configuration
 * is decoded once, with its image pointing at that file. `dispose` removes the file.
 */
export const serviceInput = (v: VectorInput): { readonly once: () => number; readonly check: () => void; readonly dispose: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'qp-bench-svc-'))
  const img = join(dir, 'rootfs.img')
  writeFileSync(img, '')
  truncateSync(img, 134_217_728)
  const config: HypervisorConfig = { ...v.config, image: img }
  const plan = (): Plan => ok(planSandboxText(config, v.sandboxText, nodeServiceEnv))
  return {
    // the argv names our image file where the vector names Kata's path
    check: () => checkVector(v, plan, (x) => x.replaceAll(img, v.spec.image?.path ?? img)),
    once: () => ok(render(plan(), 'govmm')).args.length,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
