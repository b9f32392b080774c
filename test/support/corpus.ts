/**
 * The plans the parse/diff/topology laws run over: every golden scenario's plan, random sandboxes
 * from the shared arbitraries (`src/testing/`, published as `qemu-plan/testing`), planned, and random
 * device-model plans from `plan-arbitrary.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type { Plan } from '../../src/core/vm.ts'
import { planOf, type GoldenInput } from './golden.ts'
import { allArches, arbitraryScenario } from '../../src/testing/index.ts'
import { arbitraryPlan } from './plan-arbitrary.ts'

const root = join(import.meta.dirname, '..', 'golden')

/** Every `test/golden/<arch>/<scenario>.input.json`, by `<arch>/<scenario>`. */
export const goldenInputs: ReadonlyArray<{ readonly name: string; readonly input: GoldenInput }> = readdirSync(root, {
  withFileTypes: true,
})
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d.name))
      .filter((f) => f.endsWith('.input.json'))
      .sort()
      .map((f) => ({
        name: `${d.name}/${f.replace(/\.input\.json$/, '')}`,
        input: JSON.parse(readFileSync(join(root, d.name, f), 'utf8')) as GoldenInput,
      })),
  )

/** The golden scenarios that plan (some golden scenarios are expected errors). */
export const goldenPlans: ReadonlyArray<{ readonly name: string; readonly plan: Plan }> = goldenInputs.flatMap(({ name, input }) => {
  const p = planOf(input)
  return E.isRight(p) ? [{ name, plan: p.right }] : []
})

const extraDevice = fc.oneof(
  fc.record({
    kind: fc.constant('block'),
    file: fc.constantFrom('/var/lib/a.img', '/var/lib/b,c.img', '/x y/z.qcow2'),
    format: fc.constantFrom('raw', 'qcow2'),
    shareRW: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('network'),
    endpoint: fc.constantFrom('veth', 'tuntap', 'macvtap'),
    mac: fc.constant('02:42:ac:11:00:09'),
    fds: fc.array(fc.integer({ min: 20, max: 40 }), { maxLength: 2 }),
    vhostFds: fc.array(fc.integer({ min: 41, max: 60 }), { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('volume'), hostPath: fc.constantFrom('/run/share', '/run/a,b') }),
  fc.record({ kind: fc.constant('vfio'), bdf: fc.constantFrom('02:10.0', '0000:03:00.1') }),
  fc.record({
    kind: fc.constant('vhostUser'),
    type: fc.constantFrom('net', 'scsi', 'blk', 'fs'),
    socketPath: fc.constant('/run/vhost.sock'),
    mac: fc.constant('02:00:00:00:00:01'),
    tag: fc.constant('tag0'),
  }),
)

/** Golden sandboxes with random extra devices and knobs, planned by the real planner. */
export const plannedVariant: fc.Arbitrary<Plan> = fc
  .record({
    base: fc.constantFrom(...goldenInputs),
    extra: fc.array(extraDevice, { maxLength: 40 }),
    machine: fc.constantFrom(undefined, 'pc', 'q35'),
    bridges: fc.integer({ min: 0, max: 3 }),
    blockDriver: fc.constantFrom(undefined, 'virtio-blk', 'virtio-scsi'),
  })
  .map(({ base, extra, machine, bridges, blockDriver }) => {
    const input = base.input as { config: { hypervisor: { qemu: Record<string, unknown> } }; sandbox: { devices?: Array<unknown> } }
    const qemu = {
      ...input.config.hypervisor.qemu,
      default_bridges: bridges,
      ...(machine ? { machine_type: machine } : {}),
      ...(blockDriver ? { block_device_driver: blockDriver } : {}),
    }
    const devices = [
      ...(input.sandbox.devices ?? []),
      ...extra.map((d, i) =>
        d.kind === 'block'
          ? { ...d, id: `drive-x${i}` }
          : d.kind === 'network'
            ? { ...d, tapName: `tap${i}_kata` }
            : d.kind === 'volume'
              ? { ...d, mountTag: `tag${i}` }
              : d.kind === 'vhostUser'
                ? { ...d, devId: `dev${i}` }
                : d,
      ),
    ]
    return planOf({ ...base.input, config: { hypervisor: { qemu } }, sandbox: { ...input.sandbox, devices } })
  })
  .filter(E.isRight)
  .map((r) => (r as E.Right<Plan>).right)

/** Random sandboxes on every arch (the shared `qemu-plan/testing` arbitraries), planned. */
export const plannedRandom: fc.Arbitrary<Plan> = fc
  .constantFrom(...allArches)
  .chain(arbitraryScenario)
  .map((s) => planOf(s))
  .filter(E.isRight)
  .map((r) => (r as E.Right<Plan>).right)

/** The corpus: golden plans, planner-made variants, random sandboxes on every arch, and random device-model plans. */
export const corpus: fc.Arbitrary<Plan> = fc.oneof(
  fc.constantFrom(...goldenPlans.map((g) => g.plan)),
  plannedVariant,
  plannedRandom,
  arbitraryPlan,
)
