/**
 * The JSON Schema files: generated from the codecs (the committed files are what `npm run schema`
 * writes), every example and golden input validates, and schema and decoder refuse the same
 * invalid inputs.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse as parseToml } from 'smol-toml'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeConfig } from '../../../../src/core/input/config.ts'
import { decodeSandbox } from '../../../../src/core/input/sandbox.ts'
import { schemaFiles } from '../../../../src/core/input/schema.ts'

const root = join(import.meta.dirname, '../../../..')
const files = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
const json = (f: string): unknown => JSON.parse(readFileSync(f, 'utf8'))

const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false })
const committed = (name: string): unknown => json(join(root, 'schema', name))
const validConfig = ajv.compile(committed('configuration.schema.json') as object)
const validSandbox = ajv.compile(committed('sandbox.schema.json') as object)

/** Every {config, sandbox} document and every sandbox or configuration file the repository ships. */
const inputs = (): ReadonlyArray<{ readonly file: string; readonly config?: unknown; readonly sandbox?: unknown }> => {
  const out: Array<{ file: string; config?: unknown; sandbox?: unknown }> = [
    { file: 'examples/configuration.toml', config: parseToml(readFileSync(join(root, 'examples/configuration.toml'), 'utf8')) },
    { file: 'examples/sandbox.json', sandbox: json(join(root, 'examples/sandbox.json')) },
  ]
  for (const f of [...files(join(root, 'test/golden')), ...files(join(root, 'test/golden-tools'))]) {
    if (!f.endsWith('.json') || f.endsWith('cmd.json') || f.endsWith('expected.json')) continue
    const doc = json(f)
    if (Array.isArray(doc) || typeof doc !== 'object' || doc === null) continue
    const d = doc as Record<string, unknown>
    if ('config' in d && 'sandbox' in d) out.push({ file: f, config: d.config, sandbox: d.sandbox })
    else if ('arch' in d) out.push({ file: f, sandbox: d })
  }
  return out
}

describe('JSON Schema', () => {
  it('the committed files are what npm run schema writes', () => {
    for (const [name, text] of Object.entries(schemaFiles())) expect(readFileSync(join(root, 'schema', name), 'utf8'), name).toBe(text)
  })
  it('has no codec the generator does not know', () => {
    for (const text of Object.values(schemaFiles())) expect(text).not.toContain('no JSON Schema for codec')
  })
  const all = inputs()
  it('finds the inputs', () => expect(all.length).toBeGreaterThan(40))
  for (const i of all) {
    it(`${i.file.replace(`${root}/`, '')} validates`, () => {
      if (i.config !== undefined) expect(validConfig(i.config) ? [] : validConfig.errors).toEqual([])
      if (i.sandbox !== undefined) expect(validSandbox(i.sandbox) ? [] : validSandbox.errors).toEqual([])
    })
  }
})

const sandbox = {
  arch: 'amd64',
  id: 'sb1',
  uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
  host: { memoryMiB: 4096, nested: false, cpus: 4 },
}
const table = { initrd: '/i' }
const configs: ReadonlyArray<readonly [string, unknown, boolean]> = [
  ['a table', table, true],
  ['the whole document', { hypervisor: { qemu: table } }, true],
  ['blank strings', { ...table, path: '', kernel: '', machine_type: '', block_device_driver: '', shared_fs: '' }, true],
  ['unknown keys (warnings)', { ...table, colour: 'blue' }, true],
  ['hypervisor without qemu', { hypervisor: {} }, false],
  ['a relative kernel', { ...table, kernel: 'vmlinuz' }, false],
  ['a NUL in firmware', { ...table, firmware: '/fw\u0000' }, false],
  ['a NUL in kernel_params', { ...table, kernel_params: 'a\u0000' }, false],
  ['a newline in kernel_params (a separator)', { ...table, kernel_params: 'a\nb' }, true],
  ['default_vcpus beyond int32', { ...table, default_vcpus: 2 ** 31 }, false],
  ['memory_offset beyond uint32', { ...table, memory_offset: 9007199254740991 }, false],
  ['a fractional default_memory', { ...table, default_memory: 1.5 }, false],
  ['an unknown block driver', { ...table, block_device_driver: 'ide' }, false],
  ['virtio-mmio', { ...table, block_device_driver: 'virtio-mmio' }, true],
  ['a string for a bool', { ...table, enable_debug: 'yes' }, false],
  ['a number in virtio_fs_extra_args', { ...table, virtio_fs_extra_args: ['-o', 1] }, false],
]
const sandboxes: ReadonlyArray<readonly [string, unknown, boolean]> = [
  ['a sandbox', sandbox, true],
  ['an unknown arch', { ...sandbox, arch: 'riscv64' }, false],
  ['a bad uuid', { ...sandbox, uuid: 'x' }, false],
  ['id ..', { ...sandbox, id: '..' }, false],
  ['amd64 without host.nested', { ...sandbox, host: { memoryMiB: 1 } }, false],
  ['s390x without host.nested', { ...sandbox, arch: 's390x', host: { memoryMiB: 1 } }, true],
  ['no host memory', { ...sandbox, host: { nested: false } }, false],
  ['host memory beyond 2^44 - 1 MiB', { ...sandbox, host: { memoryMiB: 2 ** 44, nested: false } }, false],
  ['0 CPUs', { ...sandbox, host: { memoryMiB: 1, nested: false, cpus: 0 } }, false],
  ['gicVersion 0 (none Kata knows)', { ...sandbox, arch: 'arm64', host: { memoryMiB: 1, gicVersion: 0 } }, true],
  ['gicVersion 5', { ...sandbox, arch: 'arm64', host: { memoryMiB: 1, gicVersion: 5 } }, false],
  ['a runDir with =', { ...sandbox, runDir: '/run/a=b' }, false],
  ['a newline in consolePath', { ...sandbox, consolePath: '/c\n' }, false],
  ['a device of no kind', { ...sandbox, devices: [{ kind: 'floppy' }] }, false],
  ['a vsock CID beyond uint32', { ...sandbox, devices: [{ kind: 'vsock', contextId: 2 ** 32 }] }, false],
  ['a NUL in a socket name', { ...sandbox, devices: [{ kind: 'socket', id: 'c', deviceId: 'd', hostPath: '/s', name: 'n\u0000' }] }, false],
  [
    'a NUL in a tap name',
    { ...sandbox, devices: [{ kind: 'network', endpoint: 'veth', tapName: 't\u0000', mac: '02:00:00:00:00:01' }] },
    false,
  ],
  [
    'a network device',
    { ...sandbox, devices: [{ kind: 'network', endpoint: 'veth', tapName: 'tap0', mac: '02:00:00:00:00:01', fds: [3] }] },
    true,
  ],
  ['a block device without format', { ...sandbox, devices: [{ kind: 'block', id: 'b', file: '/f' }] }, false],
  ['a hotplug count that is negative', { ...sandbox, hotplug: { blockDevices: -1 } }, false],
  [
    'a template without memoryPath',
    { ...sandbox, template: { bootToBeTemplate: true, bootFromTemplate: false, devicesStatePath: '/d' } },
    false,
  ],
]

describe('schema and decoder agree', () => {
  it.each(configs)('configuration: %s', (_, doc, ok) => {
    expect(validConfig(doc)).toBe(ok)
    const r = decodeConfig(doc)
    // the decoder's InvalidConfig (katautils' checks on a well-typed table) is not a schema matter
    expect(E.isRight(r) || r.left._tag !== 'InvalidInput').toBe(ok)
  })
  it.each(sandboxes)('sandbox: %s', (_, doc, ok) => {
    expect(validSandbox(doc)).toBe(ok)
    expect(E.isRight(decodeSandbox(doc))).toBe(ok)
  })
})
