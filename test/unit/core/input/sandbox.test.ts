/** The sandbox decoder: defaults, every device kind, and errors that name the field path. */
import { describe, expect, it } from 'vitest'
import { decodeSandbox, defaultRunDir } from '../../../../src/core/input/sandbox.ts'
import { sandboxDoc, unsafeLeft, unsafeRight } from '../../../support/amd64-fixtures.ts'

const problemsOf = (u: unknown) => {
  const e = unsafeLeft(decodeSandbox(u))
  if (e._tag !== 'InvalidInput') throw new Error(`expected InvalidInput, got ${e._tag}`)
  return e.problems
}
const withDevice = (d: unknown) => sandboxDoc({ devices: [d] })

const valid = {
  vsock: { kind: 'vsock', contextId: 3, vhostFd: 10 },
  volume: { kind: 'volume', mountTag: 'kataShared', hostPath: '/run/shared' },
  socket: { kind: 'socket', id: 'charch0', deviceId: 'channel0', hostPath: '/run/kata.sock', name: 'agent.channel.0' },
  network: {
    kind: 'network',
    endpoint: 'veth',
    tapName: 'tap0_kata',
    mac: '02:42:ac:11:00:02',
    model: 'tcfilter',
    fds: [5],
    vhostFds: [6],
  },
  block: { kind: 'block', id: 'drive-0', file: '/d.img', format: 'raw', shareRW: true },
  vhostUser: { kind: 'vhostUser', type: 'net', devId: 'abc', socketPath: '/vu.sock', mac: '02:00:00:00:00:01' },
  vfio: { kind: 'vfio', bdf: '0000:02:10.0', vendorId: '0x8086', deviceId: '0x1572' },
} as const

describe('decodeSandbox: values', () => {
  it('applies defaults', () => {
    const { value, warnings } = unsafeRight(decodeSandbox(sandboxDoc()))
    expect(value).toEqual({
      arch: 'amd64',
      id: 'sb1',
      uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
      runDir: defaultRunDir,
      consolePath: undefined,
      daemonize: false,
      host: { memoryMiB: 32000, nested: false, cpus: 240, accelerator: 'kvm' },
      template: undefined,
      devices: [],
      hotplug: undefined,
    })
    expect(defaultRunDir).toBe('/run/vc/vm')
    expect(warnings).toEqual([])
  })
  it('keeps optional host facts and templating', () => {
    const { value } = unsafeRight(
      decodeSandbox(
        sandboxDoc({
          runDir: '/tmp/vm',
          daemonize: true,
          host: { memoryMiB: 1, nested: true, qemuVersion: { major: 7, minor: 2 }, gicVersion: 3, accelerator: 'tcg' },
          template: { bootToBeTemplate: true, bootFromTemplate: false, memoryPath: '/m', devicesStatePath: '/s' },
        }),
      ),
    )
    expect(value.runDir).toBe('/tmp/vm')
    expect(value.daemonize).toBe(true)
    expect(value.host).toEqual({ memoryMiB: 1, nested: true, qemuVersion: { major: 7, minor: 2 }, gicVersion: 3, accelerator: 'tcg' })
    expect(value.template).toEqual({ bootToBeTemplate: true, bootFromTemplate: false, memoryPath: '/m', devicesStatePath: '/s' })
  })
  it('decodes every device kind, in order', () => {
    const { value } = unsafeRight(decodeSandbox(sandboxDoc({ devices: Object.values(valid) })))
    expect(value.devices).toEqual(Object.values(valid))
  })
  it('warns about unknown keys at the top, in host and in devices', () => {
    const { warnings } = unsafeRight(
      decodeSandbox(sandboxDoc({ extra: 1, host: { memoryMiB: 1, nested: false, cores: 4 }, devices: [{ ...valid.vsock, colour: 'x' }] })),
    )
    expect([...warnings].sort()).toEqual([
      'unknown key devices.0.colour ignored',
      'unknown key extra ignored',
      'unknown key host.cores ignored',
    ])
  })
})

describe('decodeSandbox: errors name the field path', () => {
  it('a non-object document', () => {
    for (const u of [null, 1, 'x', []]) expect(problemsOf(u)[0]?.path).toBe('')
  })
  it.each([
    ['arch', 'riscv64'],
    ['id', ''],
    ['id', 'a/b'],
    ['id', '..'],
    ['uuid', 'not-a-uuid'],
    ['runDir', 'relative'],
    ['runDir', '/run/a=b'],
    ['consolePath', 3],
    ['daemonize', 'yes'],
    ['devices', {}],
  ])('top-level %s = %j', (key, v) => {
    expect(problemsOf(sandboxDoc({ [key]: v })).map((p) => p.path)).toEqual([key])
  })
  it('missing required top-level keys', () => {
    const doc = sandboxDoc()
    delete doc.uuid
    expect(problemsOf(doc)).toEqual([{ path: 'uuid', expected: 'UUID', actual: 'nothing (missing)' }])
  })
  it('host', () => {
    expect(problemsOf(sandboxDoc({ host: undefined }))[0]?.path).toBe('host')
    expect(problemsOf(sandboxDoc({ host: { memoryMiB: 0, nested: false } }))[0]?.path).toBe('host.memoryMiB')
    expect(problemsOf(sandboxDoc({ host: { memoryMiB: 1, nested: false, gicVersion: 5 } }))[0]?.path).toBe('host.gicVersion')
    expect(problemsOf(sandboxDoc({ host: { memoryMiB: 1, nested: false, qemuVersion: { major: 7 } } }))[0]?.path).toBe(
      'host.qemuVersion.minor',
    )
    expect(problemsOf(sandboxDoc({ host: { memoryMiB: 1, nested: false, accelerator: 'hvf' } }))[0]?.path).toBe('host.accelerator')
  })
  it('template', () => {
    expect(
      problemsOf(sandboxDoc({ template: { bootToBeTemplate: true, bootFromTemplate: false, memoryPath: 'm', devicesStatePath: '/s' } }))[0]
        ?.path,
    ).toBe('template.memoryPath')
  })
  it('a template that is both a template and booted from one (Kata checkTemplateConfig)', () => {
    expect(
      problemsOf(sandboxDoc({ template: { bootToBeTemplate: true, bootFromTemplate: true, memoryPath: '/m', devicesStatePath: '/s' } })),
    ).toEqual([{ path: 'template', expected: 'at most one of bootToBeTemplate and bootFromTemplate', actual: 'both true' }])
  })
  it('a device without a known kind', () => {
    expect(problemsOf(withDevice({ kind: 'gpu' }))).toEqual([
      { path: 'devices.0.kind', expected: '"vsock" | "volume" | "socket" | "network" | "block" | "vhostUser" | "vfio"', actual: '"gpu"' },
    ])
    expect(problemsOf(withDevice(7))[0]?.path).toBe('devices.0.kind')
  })
  it.each([
    ['vsock', 'contextId', -1],
    ['vsock', 'vhostFd', 70000],
    ['volume', 'mountTag', 'a,b'],
    ['volume', 'hostPath', 'rel'],
    ['socket', 'id', '0ch'],
    ['socket', 'deviceId', 'a b'],
    ['socket', 'name', ''],
    ['network', 'endpoint', 'physical'],
    ['network', 'tapName', 'a-very-long-interface-name'],
    ['network', 'tapName', 'tap/0'],
    ['network', 'mac', '02:42:ac:11:00'],
    ['network', 'model', 'nat'],
    ['network', 'fds', [1, 'x']],
    ['network', 'vhostFds', 3],
    ['block', 'id', '1drive'],
    ['block', 'file', 'disk.img'],
    ['block', 'format', ''],
    ['block', 'shareRW', 'on'],
    ['vhostUser', 'type', 'gpu'],
    ['vhostUser', 'devId', 'a b'],
    ['vhostUser', 'socketPath', 's.sock'],
    ['vhostUser', 'mac', 'x'],
    ['vhostUser', 'cacheSize', -2],
    ['vfio', 'bdf', '02:10'],
    ['vfio', 'vendorId', '8086'],
  ] as const)('%s.%s = %j', (kind, key, v) => {
    const ps = problemsOf(sandboxDoc({ devices: [valid.vsock, { ...valid[kind], [key]: v }] }))
    expect(ps.length).toBeGreaterThan(0)
    for (const p of ps) expect(p.path.startsWith(`devices.1.${key}`)).toBe(true)
  })
  it('names the bad element of an fd list', () => {
    expect(problemsOf(withDevice({ ...valid.network, fds: [1, 'x'] }))[0]?.path).toBe('devices.0.fds.1')
  })
  it('a missing required device field', () => {
    const { mac: _mac, ...noMac } = valid.network
    expect(problemsOf(withDevice(noMac))).toEqual([
      { path: 'devices.0.mac', expected: 'MAC address (xx:xx:xx:xx:xx:xx)', actual: 'nothing (missing)' },
    ])
  })
  it('collects the problems of several devices and of host at once', () => {
    const ps = problemsOf(sandboxDoc({ host: { memoryMiB: 1 }, devices: [{ kind: 'vsock' }, valid.block, { ...valid.block, file: 1 }] }))
    expect(ps.map((p) => p.path)).toEqual(['host.nested', 'devices.0.contextId', 'devices.2.file'])
  })
  it('a hole in a sparse device array is a problem, not a crash', () => {
    // eslint-disable-next-line no-sparse-arrays
    const devices = [valid.vsock, , valid.block]
    expect(problemsOf(sandboxDoc({ devices }))[0]?.path).toBe('devices.1.kind')
  })
  it('warns of 200,000 unknown keys in one part, in order, without growing the stack', () => {
    const block: Record<string, unknown> = { ...valid.block }
    for (let i = 0; i < 200_000; i++) block[`x${i}`] = i
    const { warnings } = unsafeRight(decodeSandbox(sandboxDoc({ devices: [block], extra: true })))
    expect(warnings).toHaveLength(200_001)
    expect(warnings[0]).toBe('unknown key devices.0.x0 ignored')
    expect(warnings[200_000]).toBe('unknown key extra ignored')
  })
})
