/**
 * 200,000 devices through every command that walks them: `argv`, `parse`, `topology`, `diff` and
 * `check` either succeed or end in one typed error line — never a RangeError from a recursion or
 * an argument spread that grows with the input. On s390x a CCW bridge holds 65,535 device numbers,
 * so 4 bridges place all 200,000 disks and every one goes through slot allocation; with 3 bridges
 * (196,605 numbers) the same input runs out of slots, which must be a typed error too.
 *
 * Speed is not asserted here: `npm run bench` measures it (BENCHMARKS.md, rows of 1,000 to 100,000
 * devices).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/cli/dispatch.ts'

const n = 200_000
const dir = mkdtempSync(join(tmpdir(), 'qemu-plan-scale-'))
const f = (name: string): string => join(dir, name)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (args: ReadonlyArray<string>): Promise<{ code: number; out: string; err: string }> => {
  let out = ''
  let err = ''
  const code = await dispatch(args, { out: (s) => (out += s), err: (s) => (err += s), stdin: async () => '' })
  return { code, out, err }
}
/** stderr without the `note:` lines the CLI prints about host facts it filled in. */
const errors = (err: string): string =>
  err
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('note:'))
    .join('\n')

const sandbox = (count: number) => ({
  arch: 's390x',
  id: 'scale',
  uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
  host: { memoryMiB: 32000, cpus: 8, nested: false },
  devices: Array.from({ length: count }, (_, i) => ({ kind: 'block', id: `drive-${i}`, file: `/var/lib/disks/d${i}.img`, format: 'raw' })),
})
const config = (bridges: number) => ({
  hypervisor: { qemu: { kernel: '/boot/vmlinuz', initrd: '/boot/initrd', block_device_driver: 'virtio-blk', default_bridges: bridges } },
})
const input = ['--image-size', '134217728', '--seed', '1']

beforeAll(() => {
  writeFileSync(f('sandbox.json'), JSON.stringify(sandbox(n)))
  writeFileSync(f('fewer.json'), JSON.stringify(sandbox(n - 1)))
  writeFileSync(f('config.json'), JSON.stringify(config(4)))
  writeFileSync(f('narrow.json'), JSON.stringify(config(3)))
})

describe(`${n.toLocaleString('en')} devices`, { timeout: 240_000 }, () => {
  let lines = ''

  it('argv plans and renders every disk, one argument per line', async () => {
    const r = await cli([
      'argv',
      '--config',
      f('config.json'),
      '--sandbox',
      f('sandbox.json'),
      '--dialect',
      'qemu',
      '--format',
      'lines',
      ...input,
    ])
    expect(errors(r.err)).toBe('')
    expect(r.code).toBe(0)
    lines = r.out
    writeFileSync(f('argv.txt'), lines)
    const args = lines.split('\n')
    expect(args.filter((a) => a.startsWith('virtio-blk-ccw,')).length).toBe(n)
    // no devno twice (QEMU refuses that); the last disk is on the fourth CCW bridge, subchannel set 3
    const devnos = args.flatMap((a) => /devno=([^,]+)/.exec(a)?.[1] ?? [])
    expect(new Set(devnos).size).toBe(devnos.length)
    expect(args.find((a) => a.includes('drive=drive-199999'))).toMatch(/devno=fe\.3\.[0-9a-f]{4}$/)
  })

  it('with too few CCW numbers for them, refuses with one typed line', async () => {
    const r = await cli(['argv', '--config', f('narrow.json'), '--sandbox', f('sandbox.json'), '--dialect', 'qemu', ...input])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(errors(r.err)).toMatch(/^[A-Z][A-Za-z]+: [^\n]*$/)
    expect(errors(r.err)).not.toMatch(/RangeError|Internal/)
  })

  it('parse reads the argv back: every device, with its devno', async () => {
    const r = await cli(['parse', '--format', 'plan', f('argv.txt')])
    expect(errors(r.err)).toBe('')
    expect(r.code).toBe(0)
    const parsed = JSON.parse(r.out) as { plan: { devices: ReadonlyArray<{ _tag: string; id: string; placement?: { devno?: string } }> } }
    const disks = parsed.plan.devices.filter((d) => d._tag === 'Block')
    expect(disks.length).toBe(n)
    expect(disks.at(-1)?.placement?.devno).toMatch(/^fe\.3\./)
  })

  it('topology draws a CCW bridge per subchannel set, holding every device', async () => {
    const r = await cli(['topology', '--json', f('argv.txt')])
    expect(errors(r.err)).toBe('')
    expect(r.code).toBe(0)
    const t = JSON.parse(r.out) as { bridges: ReadonlyArray<{ addr: number; slots: ReadonlyArray<{ id: string }>; capacity: number }> }
    expect(t.bridges.map((b) => [b.addr, b.capacity])).toEqual([
      [0, 65535],
      [1, 65535],
      [2, 65535],
      [3, 65535],
    ])
    expect(t.bridges.reduce((s, b) => s + b.slots.filter((x) => x.id.startsWith('drive-')).length, 0)).toBe(n)
  })

  it('diff finds nothing between the argv and itself, and exactly the one disk the smaller sandbox lacks', async () => {
    const same = await cli(['diff', f('argv.txt'), f('argv.txt')])
    expect(errors(same.err)).toBe('')
    expect(same.code).toBe(0)
    const one = await cli(['diff', '--json', '--config', f('config.json'), '--dialect', 'qemu', ...input, f('fewer.json'), f('argv.txt')])
    expect(errors(one.err)).toBe('')
    expect(one.code).toBe(1)
    const d = (JSON.parse(one.out) as { diff: unknown }).diff as {
      devices: { added: ReadonlyArray<{ id: string }>; removed: ReadonlyArray<unknown>; changed: ReadonlyArray<unknown> }
    }
    expect(d.devices.added.map((x) => x.id)).toContain('drive-199999')
    expect(d.devices.removed).toEqual([])
    expect(d.devices.changed).toEqual([])
  })

  it('check sets every argument against the probed capabilities of qemu-system-s390x: only -cpu host (a KVM model) is missing', async () => {
    const caps = resolve(import.meta.dirname, '../fixtures/caps/qemu-system-s390x.json')
    const r = await cli(['check', '--caps', caps, f('argv.txt')])
    expect(errors(r.err)).toBe('')
    expect(r.code).toBe(1)
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(/^CapabilityMissing: at token \d+ \("host"\): .* has no CPU model host$/),
    ])
    expect(readFileSync(f('argv.txt'), 'utf8')).toBe(lines)
  })
})
