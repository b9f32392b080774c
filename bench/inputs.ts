/**
 * Benchmark inputs and the work every bench script times: the bundled example (the "typical"
 * row), the same with 5 bridges and 150 block drives ("large"), sandboxes of N devices for the
 * scaling rows, plan + render, and the bridge pairs.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseToml } from 'smol-toml'
import { decodeConfig, type HypervisorConfig } from '../src/core/input/config.ts'
import { decodeSandbox, type Sandbox } from '../src/core/input/sandbox.ts'
import { planSandbox } from '../src/arch/planner.ts'
import { addDeviceToBridge, makeBridges, removeDeviceFromBridge, type Bridge } from '../src/core/bridges.ts'
import { seededIds } from '../src/core/ids.ts'
import { render } from '../src/core/render.ts'
import type { Plan } from '../src/core/vm.ts'

export const ok = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

export const exampleConfigDoc = parseToml(readFileSync(new URL('../examples/configuration.toml', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>
export const exampleSandboxText = readFileSync(new URL('../examples/sandbox.json', import.meta.url), 'utf8')
export const exampleSandboxDoc = JSON.parse(exampleSandboxText) as { devices: Array<Record<string, unknown>> } & Record<string, unknown>

const withQemu = (extra: Record<string, unknown>): unknown => {
  const h = exampleConfigDoc.hypervisor as { qemu: Record<string, unknown> }
  return { hypervisor: { qemu: { ...h.qemu, ...extra } } }
}

export const typical: { config: HypervisorConfig; sandbox: Sandbox } = {
  config: ok(decodeConfig(exampleConfigDoc)).value,
  sandbox: ok(decodeSandbox(exampleSandboxDoc)).value,
}

const drives = (n: number, from = 0): Array<Record<string, unknown>> =>
  Array.from({ length: n }, (_, i) => ({ kind: 'block', id: `drive-${from + i}`, file: `/var/lib/disks/d${from + i}.img`, format: 'raw' }))

/** 5 bridges and 150 block drives (the example's 4 plus 146). */
export const large: { config: HypervisorConfig; sandbox: Sandbox } = {
  config: ok(decodeConfig(withQemu({ default_bridges: 5 }))).value,
  sandbox: ok(decodeSandbox({ ...exampleSandboxDoc, devices: [...exampleSandboxDoc.devices, ...drives(146, 4)] })).value,
}

/**
 * A sandbox of `n` devices for the scaling rows: s390x, whose CCW bridge holds 65535 devices, so
 * every device goes through slot allocation at any size (a PCI machine runs out at 5 × 30 + root).
 */
export const scaled = (n: number): { config: HypervisorConfig; sandbox: Sandbox } => ({
  config: ok(decodeConfig({ kernel: '/boot/vmlinuz', initrd: '/boot/initrd', block_device_driver: 'virtio-blk' })).value,
  sandbox: ok(
    decodeSandbox({
      arch: 's390x',
      id: 'scaled',
      uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
      host: { memoryMiB: 32000, nested: false },
      devices: drives(n),
    }),
  ).value,
})

/**
 * The same with two CCW bridges (2 × 65535 device numbers), for the rows of 1,000 to 100,000
 * devices (plan, render, parse, diff).
 */
export const wide = (n: number): { config: HypervisorConfig; sandbox: Sandbox } => ({
  config: ok(decodeConfig({ kernel: '/boot/vmlinuz', initrd: '/boot/initrd', block_device_driver: 'virtio-blk', default_bridges: 2 }))
    .value,
  sandbox: scaled(n).sandbox,
})

export type Input = { readonly config: HypervisorConfig; readonly sandbox: Sandbox }

const ids = seededIds(1)

/** Plan one input (image size known, seeded ids). */
export const plan = (x: Input): Plan => ok(planSandbox(x.config, x.sandbox, { imageSizeBytes: 134_217_728 }, ids))

/** Plan and render one input; the argv length, so nothing is optimised away. */
export const planAndRender = (x: Input, dialect: 'govmm' | 'qemu' = 'govmm'): number => ok(render(plan(x), dialect)).args.length

/**
 * The qemu-dialect argv of `wide(n)` (binary first), and the same with the last drive's file
 * changed: the input of the parse rows, and the pair of the diff rows (a one-device diff).
 */
export const wideArgv = (n: number): { readonly a: ReadonlyArray<string>; readonly b: ReadonlyArray<string> } => {
  const r = ok(render(plan(wide(n)), 'qemu'))
  const a = [r.binary, ...r.args]
  let last = a.length - 1
  while (last > 0 && !(a[last] as string).includes('file=')) last--
  const b = a.map((x, i) => (i === last ? x.replace(/file=[^,]*/, 'file=/var/lib/disks/changed.img') : x))
  return { a, b }
}

// bridge pairs: 5 q35 bridges, empty or with 70 devices (bridges 0 and 1 full, bridge 2 slots 1-10).
// Built with the data-last form, which every version of the code has (bench/history.sh runs this
// file against older commits).
export const emptyBridges: ReadonlyArray<Bridge> = makeBridges('pci', 5)
export const busyBridges: ReadonlyArray<Bridge> = Array.from({ length: 70 }, (_, i) => `busy-${i}`).reduce(
  (bs, id) => ok(addDeviceToBridge(id, 'pci')(bs)).bridges,
  emptyBridges,
)

// the ids are made once, outside the timed loops: the rows time the allocator, not string formatting
const pairIds = Array.from({ length: 1000 }, (_, i) => `dev-${i}`)

/** 1000 × (add + remove) through the data-first form the planner uses. */
export const pairs = (start: ReadonlyArray<Bridge>): void => {
  let b = start
  for (const id of pairIds) {
    b = ok(addDeviceToBridge(b, id, 'pci')).bridges
    b = ok(removeDeviceFromBridge(b, id))
  }
}

/** The same pairs through the data-last form (`addDeviceToBridge(id, type)(bridges)`), which allocates a closure per call. */
export const pairsCurried = (start: ReadonlyArray<Bridge>): void => {
  let b = start
  for (const id of pairIds) {
    b = ok(addDeviceToBridge(id, 'pci')(b)).bridges
    b = ok(removeDeviceFromBridge(id)(b))
  }
}
