/**
 * Host facts from the running machine, through an in-memory file system: what each /proc file
 * gives, what is filled and noted, and the typed error naming a fact that cannot be read.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { describe, expect, it } from 'vitest'
import { imageNotFound, io } from '../../../src/core/errors.ts'
import {
  fillHostFacts,
  gicVersionOf,
  memTotalMiB,
  missingBinary,
  readHostFacts,
  runningOnVMM,
  type Machine,
} from '../../../src/effects/host.ts'
import { loadPlan } from '../../../src/effects/load.ts'
import type { FileSystem } from '../../../src/effects/ports.ts'

const fsOf = (files: Readonly<Record<string, string>>, sizes: Readonly<Record<string, number>> = {}): FileSystem => ({
  readText: (p) => (files[p] !== undefined ? TE.right(files[p] as string) : TE.left(io({ op: 'read', path: p, code: 'ENOENT' }))),
  size: (p) => (sizes[p] !== undefined ? TE.right(sizes[p] as number) : TE.left(imageNotFound({ path: p }))),
})
const machine = (arch: string, notes: Array<string> = []): Machine => ({ cpus: () => 4, arch, note: (m) => notes.push(m) })
const proc = {
  '/proc/meminfo': 'MemTotal:       32768000 kB\nMemFree:        1000 kB\n',
  '/proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n',
  '/proc/interrupts': '  1:   0   GICv3  25 Level  vgic\n',
}

describe('parsers', () => {
  it('MemTotal in MiB, truncated as Kata does (kB / 1024)', () => {
    expect(memTotalMiB(proc['/proc/meminfo'])).toBe(32000)
    expect(memTotalMiB('MemTotal: 2047 kB\n')).toBe(1)
    expect(memTotalMiB('MemFree: 1 kB\n')).toBeUndefined()
  })
  it('RunningOnVMM: the hypervisor flag on a flags line', () => {
    expect(runningOnVMM(proc['/proc/cpuinfo'])).toBe(true)
    expect(runningOnVMM('flags\t: fpu vme\nmodel name\t: hypervisor-ish\n')).toBe(false)
  })
  it('getHostGICVersion: GICv2, v3, v4, else 0', () => {
    expect(['GICv2', 'GICv3', 'GICv4', 'none'].map(gicVersionOf)).toEqual([2, 3, 4, 0])
  })
})

describe('readHostFacts (qemu-plan host)', () => {
  it('amd64: memory, CPUs and nesting', async () => {
    expect(await readHostFacts(fsOf(proc), machine('amd64'))()).toEqual(E.right({ memoryMiB: 32000, cpus: 4, nested: true }))
  })
  it('arm64: memory, CPUs and the GIC version', async () => {
    expect(await readHostFacts(fsOf(proc), machine('arm64'))()).toEqual(E.right({ memoryMiB: 32000, cpus: 4, gicVersion: 3 }))
  })
  it('no /proc/meminfo: HostFactUnavailable naming the fact and the sandbox field', async () => {
    expect(await readHostFacts(fsOf({}), machine('s390x'))()).toEqual(
      E.left({
        _tag: 'HostFactUnavailable',
        fact: 'host.memoryMiB',
        source: '/proc/meminfo',
        code: 'ENOENT',
        supply: 'host.memoryMiB in the sandbox',
      }),
    )
  })
})

describe('fillHostFacts', () => {
  it('fills only what is missing, with one note per fact', async () => {
    const notes: Array<string> = []
    const r = await fillHostFacts({ arch: 'amd64', host: { memoryMiB: 1024 } }, fsOf(proc), machine('amd64', notes))()
    expect(r).toEqual(E.right({ arch: 'amd64', host: { memoryMiB: 1024, cpus: 4, nested: true } }))
    expect(notes).toEqual([
      'host.cpus = 4 (not in the sandbox: read from os.availableParallelism())',
      'host.nested = true (not in the sandbox: read from the hypervisor flag in /proc/cpuinfo)',
    ])
  })
  it('reads the GIC version for an arm64 sandbox, and nothing when all is given', async () => {
    expect(await fillHostFacts({ arch: 'arm64', host: { memoryMiB: 1, cpus: 2 } }, fsOf(proc), machine('amd64'))()).toEqual(
      E.right({ arch: 'arm64', host: { memoryMiB: 1, cpus: 2, gicVersion: 3 } }),
    )
    const doc = { arch: 's390x', host: { memoryMiB: 1, cpus: 2 } }
    expect(await fillHostFacts(doc, fsOf({}), machine('amd64'))()).toEqual(E.right(doc))
  })
  it('an unreadable /proc/interrupts is an error naming host.gicVersion, never a guess', async () => {
    const r = await fillHostFacts({ arch: 'arm64', host: { memoryMiB: 1, cpus: 2 } }, fsOf({}), machine('arm64'))()
    expect(r).toMatchObject(E.left({ _tag: 'HostFactUnavailable', fact: 'host.gicVersion', source: '/proc/interrupts' }))
  })
  it('leaves documents the decoder must refuse alone', async () => {
    const notes: Array<string> = []
    for (const doc of [null, 3, { host: 5 }, {}, { arch: 'mips', host: {} }, { arch: 7 }])
      expect(await fillHostFacts(doc, fsOf({}), machine('amd64', notes))()).toEqual(E.right(doc))
    expect(notes).toEqual([])
  })
})

describe('loadPlan with the running machine and stat', () => {
  const config = '[hypervisor.qemu]\ninitrd = "/i"\nfile_mem_backend = "/nope"\n'
  const sandbox = JSON.stringify({ arch: 'amd64', id: 'x', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11' })
  const ids = { ids: () => ({ hex16: () => '0000000000000000' }) }
  it('fills host facts, and plans no file-backed memory when file_mem_backend does not exist (with a warning)', async () => {
    const fs = fsOf({ ...proc, '/c.toml': config, '/s.json': sandbox })
    const r = await loadPlan({ configPath: '/c.toml', sandboxPath: '/s.json' }, { ...fs, ...ids, machine: machine('amd64') })()
    if (E.isLeft(r)) throw new Error(r.left._tag)
    expect(r.right.sandbox.host).toMatchObject({ memoryMiB: 32000, cpus: 4, nested: true })
    expect(r.right.plan.smp).toMatchObject({ cpus: 1, maxCpus: 4 })
    expect(r.right.plan.knobs).toMatchObject({ fileBackedMem: false, memShared: false, memPath: undefined })
    expect(r.right.plan.warnings).toContain(
      "file-backed memory location /nope does not exist: guest memory is not file-backed or shared (as Kata's setupFileBackedMem)",
    )
  })
  it('plans file-backed memory when the location exists', async () => {
    const fs = fsOf({ ...proc, '/c.toml': config, '/s.json': sandbox }, { '/nope': 4096 })
    const r = await loadPlan({ configPath: '/c.toml', sandboxPath: '/s.json' }, { ...fs, ...ids, machine: machine('amd64') })()
    expect(E.isRight(r) && r.right.plan.knobs).toMatchObject({ fileBackedMem: true, memShared: true, memPath: '/nope' })
  })
})

describe('missingBinary', () => {
  it('warns about an absolute binary path that does not exist', async () => {
    expect(await missingBinary(fsOf({}, { '/usr/bin/q': 1 }), '/usr/bin/q')()).toBeUndefined()
    expect(await missingBinary(fsOf({}), '/usr/bin/q')()).toBe(
      'QEMU binary /usr/bin/q does not exist on this host (install it, or set hypervisor.qemu.path)',
    )
  })
})
