/**
 * Benchmark inputs, decoded once: the bundled example (the "typical" row), the same with 5
 * bridges and 150 block drives ("large"), and sandboxes of N devices for the scaling rows.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseToml } from 'smol-toml'
import { decodeConfig, type HypervisorConfig } from '../src/core/input/config.ts'
import { decodeSandbox, type Sandbox } from '../src/core/input/sandbox.ts'

const ok = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

export const exampleConfigDoc = parseToml(readFileSync(new URL('../examples/configuration.toml', import.meta.url), 'utf8')) as Record<string, unknown>
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
    decodeSandbox({ arch: 's390x', id: 'scaled', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 32000, nested: false }, devices: drives(n) }),
  ).value,
})
