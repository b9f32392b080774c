/** PlanError: one example per variant, its constructor and its one-line message. */
import { describe, expect, it } from 'vitest'
import * as Err from '../../../src/core/errors.ts'
import type { PlanError } from '../../../src/core/errors.ts'

// One value per variant; the Record type makes a new variant without an example a type error.
const examples: { readonly [K in PlanError['_tag']]: Extract<PlanError, { _tag: K }> } = {
  InvalidInput: { _tag: 'InvalidInput', problems: [{ path: 'devices.0.mac', expected: 'MAC address', actual: '"x"' }] },
  UnknownMachine: { _tag: 'UnknownMachine', arch: 'amd64', machine: 'foo', supported: ['pc', 'q35'] },
  UnknownBinary: { _tag: 'UnknownBinary', machine: 'virt' },
  NoBridges: { _tag: 'NoBridges' },
  NoBridgeSlot: { _tag: 'NoBridgeSlot', bridgeType: 'pci', available: [] },
  DeviceNotOnBridge: { _tag: 'DeviceNotOnBridge', id: 'd0' },
  WrongBridgeType: { _tag: 'WrongBridgeType', expected: 'ccw', actual: 'pci', bridge: 'pci-bridge-0' },
  NoBusSlot: { _tag: 'NoBusSlot', bus: 'pci.0', device: 'd0' },
  InvalidDevice: { _tag: 'InvalidDevice', device: 'vsock-2', field: 'contextId', reason: 'too small' },
  DuplicateId: { _tag: 'DuplicateId', id: 'extra-9p-x', field: 'volume' },
  Unsupported: { _tag: 'Unsupported', arch: 'amd64', feature: 'machine pc-lite' },
  InvalidConfig: { _tag: 'InvalidConfig', field: 'hypervisor.qemu.kernel', reason: 'Missing kernel path' },
  ParseError: { _tag: 'ParseError', position: 3, token: 'x', reason: 'bad' },
  NoHotplugCapacity: { _tag: 'NoHotplugCapacity', field: 'hotplug.blockDevices', resource: 'bridge slots', needed: 31, available: 30 },
  CapabilityMissing: {
    _tag: 'CapabilityMissing',
    position: 7,
    token: 'virtio-blk-pci,foo=1',
    kind: 'property',
    name: 'virtio-blk-pci.foo',
    binary: 'qemu-system-x86_64',
  },
  ImageNotFound: { _tag: 'ImageNotFound', path: '/img' },
  Io: { _tag: 'Io', op: 'read', path: '/c', code: 'EACCES' },
  ConnectionRefused: { _tag: 'ConnectionRefused', path: '/q.sock', code: 'ECONNREFUSED' },
  QemuExited: { _tag: 'QemuExited', code: 1, signal: null, stderr: 'boom\n' },
  QmpError: { _tag: 'QmpError', class: 'GenericError', desc: 'nope', command: 'device_add' },
  QmpProtocol: { _tag: 'QmpProtocol', line: '{', reason: 'not JSON' },
  Timeout: { _tag: 'Timeout', op: 'connect', ms: 10000 },
  Closed: { _tag: 'Closed', op: 'quit' },
  UnknownDevice: { _tag: 'UnknownDevice', id: 'nope' },
  StateMismatch: { _tag: 'StateMismatch', field: 'state.bridges.0.addr', reason: 'QEMU has pci-bridge-0 at slot 3' },
  Busy: { _tag: 'Busy', path: '/run/s.json', holder: 'pid 42', ms: 5000 },
  MissingProgram: { _tag: 'MissingProgram', program: 'python3', purpose: 'pass fds to QEMU' },
  PathTooLong: { _tag: 'PathTooLong', field: 'runDir + id', path: `/run/vc/vm/${'x'.repeat(100)}/qmp.sock`, length: 120, max: 107 },
  HostFactUnavailable: {
    _tag: 'HostFactUnavailable',
    fact: 'host.memoryMiB',
    source: '/proc/meminfo',
    code: 'ENOENT',
    supply: 'host.memoryMiB in the sandbox',
  },
}

const constructors: Record<string, unknown> = Err

describe('toMessage', () => {
  for (const [tag, e] of Object.entries(examples)) {
    it(`renders ${tag} as one line starting with the tag`, () => {
      const m = Err.toMessage(e)
      expect(m.startsWith(`${tag}: `)).toBe(true)
      expect(m).not.toContain('\n')
    })
  }
  it('names the field path, the expectation and the actual value of every problem', () => {
    expect(
      Err.toMessage(
        Err.invalidInput({
          problems: [
            { path: 'host.memoryMiB', expected: 'positive integer', actual: '0' },
            { path: '', expected: 'an object', actual: 'string' },
          ],
        }),
      ),
    ).toBe('InvalidInput: host.memoryMiB: expected positive integer, got 0; <root>: expected an object, got string')
  })
  it('names the machine and the whitelist', () => {
    expect(Err.toMessage(examples.UnknownMachine)).toBe('UnknownMachine: unrecognised machine type foo for amd64 (supported: pc, q35)')
  })
  it('says a socket path is too long as Kata did, naming the field', () => {
    expect(Err.toMessage(examples.PathTooLong)).toMatch(
      /^PathTooLong: runDir \+ id: path too long \(got 120, max 107\): \/run\/vc\/vm\/x+\/qmp.sock$/,
    )
  })
  it('names the host fact, where it was read and how to supply it', () => {
    expect(Err.toMessage(examples.HostFactUnavailable)).toBe(
      'HostFactUnavailable: cannot read host.memoryMiB from /proc/meminfo (ENOENT); supply it with host.memoryMiB in the sandbox',
    )
  })
  it('says none when no bridge type is present', () => {
    expect(Err.toMessage(examples.NoBridgeSlot)).toContain('bridge types present: none')
  })
  it('clips long QEMU stderr', () => {
    const m = Err.toMessage(Err.qemuExited({ code: 1, signal: null, stderr: 'x'.repeat(1000) }))
    expect(m.length).toBeLessThan(500)
    expect(m.endsWith('…(1000 chars)')).toBe(true)
  })
})

describe('bounded messages', () => {
  it('cuts a long value after 200 characters and gives its length', () => {
    const m = Err.toMessage(Err.unknownMachine({ arch: 'amd64', machine: 'x'.repeat(10 << 20), supported: ['pc'] }))
    expect(m).toBe(`UnknownMachine: unrecognised machine type ${'x'.repeat(200)}…(10485760 chars) for amd64 (supported: pc)`)
  })
  it('escapes newlines and other control characters, so a message is one line', () => {
    const m = Err.toMessage(Err.invalidConfig({ field: 'a\nb', reason: 'c\r\u0000d\u2028' }))
    expect(m).toBe('InvalidConfig: a\\nb: c\\r\\u0000d\\u2028')
    expect(Err.toMessage(Err.parseError({ position: 1, token: 'a\u2028b', reason: 'x' }))).not.toMatch(/[\n\r\u2028]/)
  })
  it('names the first ten problems and counts the rest', () => {
    const problems = Array.from({ length: 100_000 }, (_, i) => ({
      path: `devices.${i}.file`,
      expected: 'absolute path',
      actual: 'nothing',
    }))
    const m = Err.toMessage(Err.invalidInput({ problems }))
    expect(m.length).toBeLessThan(1000)
    expect(m).toContain('devices.9.file')
    expect(m).not.toContain('devices.10.file')
    expect(m.endsWith('; and 99990 more')).toBe(true)
  })
  it('bounds every field of every variant', () => {
    const huge = `${'y'.repeat(5000)}\n`
    for (const e of Object.values(examples)) {
      const big = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, k !== '_tag' && typeof v === 'string' ? huge : v])) as PlanError
      const m = Err.toMessage(big)
      expect(m.length, e._tag).toBeLessThan(2000)
      expect(m, e._tag).not.toContain('\n')
    }
  })
  it('never splits a surrogate pair', () => {
    expect(Err.bounded(`${'a'.repeat(199)}😀😀`)).toBe(`${'a'.repeat(199)}…(203 chars)`)
  })
})

describe('constructors', () => {
  it('build each variant from its data', () => {
    for (const [tag, e] of Object.entries(examples)) {
      const name = tag[0]?.toLowerCase() + tag.slice(1)
      const c = constructors[name]
      if (tag === 'NoBridges') expect(c).toEqual(e)
      else {
        const { _tag, ...data } = e as { _tag: string }
        expect(typeof c).toBe('function')
        expect((c as (d: unknown) => unknown)(data)).toEqual(e)
      }
    }
  })
})
