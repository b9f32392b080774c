/** Kata's pre-launch checks: socket path lengths, maxmem arithmetic, and control characters in sandbox strings. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkMemory, checkSocketPaths, maxQemuMemMiB, socketPaths } from '../../../src/core/preflight.ts'
import { decodeSandbox } from '../../../src/core/input/sandbox.ts'
import { config, planFor, sandbox, sandboxDoc, unsafeLeft } from '../../support/amd64-fixtures.ts'

describe('socket paths (utils.BuildSocketPath, MaxSocketPathLen = 107)', () => {
  it('lists QMP, console, vhost-fs, socket and vhost-user devices', () => {
    const s = sandbox({
      devices: [
        { kind: 'volume', mountTag: 't', hostPath: '/h' },
        { kind: 'socket', id: 'c1', deviceId: 'd1', hostPath: '/s.sock', name: 'n' },
        { kind: 'vhostUser', type: 'net', devId: 'v', socketPath: '/v.sock', mac: '02:00:00:00:00:01' },
      ],
    })
    expect(socketPaths(config({ shared_fs: 'virtio-fs' }), s).map((p) => `${p.field} ${p.path}`)).toEqual([
      'runDir + id /run/vc/vm/sb1/qmp.sock',
      'runDir + id /run/vc/vm/sb1/console.sock',
      'runDir + id /run/vc/vm/sb1/vhost-fs.sock',
      'devices.1.hostPath /s.sock',
      'devices.2.socketPath /v.sock',
    ])
  })
  it('a 120-byte QMP path is PathTooLong, as Kata said it', () => {
    const e = unsafeLeft(planFor({}, { id: 'x'.repeat(100) }))
    expect(e).toEqual({ _tag: 'PathTooLong', field: 'runDir + id', path: `/run/vc/vm/${'x'.repeat(100)}/qmp.sock`, length: 120, max: 107 })
  })
  it('107 bytes pass, 108 do not; bytes are UTF-8 bytes', () => {
    const at = (n: number) => checkSocketPaths(config(), sandbox({ consolePath: `/${'c'.repeat(n - 1)}` }))
    expect(at(107)._tag).toBe('Right')
    expect(at(108)).toMatchObject({ _tag: 'Left', left: { field: 'consolePath', length: 108 } })
    expect(checkSocketPaths(config(), sandbox({ consolePath: `/${'é'.repeat(54)}` }))).toMatchObject({
      _tag: 'Left',
      left: { length: 109 },
    })
  })
})

describe('the quick yes of checkSocketPaths', () => {
  // it counts without building the paths: its answer must be the path-by-path answer, at the edge too
  const slow = (c: Parameters<typeof socketPaths>[0], s: Parameters<typeof socketPaths>[1]) => {
    const bad = socketPaths(c, s).find((p) => new TextEncoder().encode(p.path).length > 107)
    return bad === undefined ? 'Right' : `${bad.field} ${bad.path}`
  }
  const fast = (c: Parameters<typeof socketPaths>[0], s: Parameters<typeof socketPaths>[1]) => {
    const r = checkSocketPaths(c, s)
    return r._tag === 'Right' ? 'Right' : `${r.left.field} ${r.left.path}`
  }
  it('agrees with every path measured one by one, for ids and paths around 107 bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 70, max: 100 }),
        fc.constantFrom('x', 'é', '😀'),
        fc.option(fc.integer({ min: 100, max: 112 }), { nil: undefined }),
        fc.option(fc.integer({ min: 100, max: 112 }), { nil: undefined }),
        fc.boolean(),
        (idLen, ch, consoleLen, socketLen, virtioFs) => {
          const s = sandbox({
            id: 'x'.repeat(idLen - 40),
            runDir: `/run/${ch.repeat(Math.floor(36 / new TextEncoder().encode(ch).length))}`,
            ...(consoleLen === undefined ? {} : { consolePath: `/${'c'.repeat(consoleLen - 1)}` }),
            devices: [
              { kind: 'volume', mountTag: 't', hostPath: '/h' },
              ...(socketLen === undefined
                ? []
                : [{ kind: 'socket', id: 'c1', deviceId: 'd1', hostPath: `/${'s'.repeat(socketLen - 1)}`, name: 'n' }]),
            ],
          })
          const c = config(virtioFs ? { shared_fs: 'virtio-fs' } : {})
          expect(fast(c, s)).toBe(slow(c, s))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('maxmem arithmetic', () => {
  it('host + offset + 1024 beyond what QEMU holds is InvalidConfig, not a wrong number', () => {
    expect(
      checkMemory({ memoryOffsetMiB: 4294967295, memoryMiB: 2048 }, sandbox({ host: { memoryMiB: maxQemuMemMiB - 1024, nested: false } }))
        ._tag,
    ).toBe('Left')
    expect(
      checkMemory({ memoryOffsetMiB: 0, memoryMiB: 2048 }, sandbox({ host: { memoryMiB: maxQemuMemMiB - 1024, nested: false } }))._tag,
    ).toBe('Right')
  })
  it('host memory beyond 2^44 - 1 MiB is refused when decoding', () => {
    expect(unsafeLeft(decodeSandbox(sandboxDoc({ host: { memoryMiB: 2 ** 44, nested: false } })))).toMatchObject({
      _tag: 'InvalidInput',
      problems: [{ path: 'host.memoryMiB' }],
    })
  })
})

describe('strings: no NUL or control characters in any path, id, tag or name', () => {
  const dev = (d: Record<string, unknown>) => decodeSandbox(sandboxDoc({ devices: [d] }))
  it.each([
    [{ kind: 'socket', id: 'c', deviceId: 'd', hostPath: '/s', name: 'n\u0000' }, 'devices.0.name'],
    [{ kind: 'socket', id: 'c', deviceId: 'd', hostPath: '/s\n', name: 'n' }, 'devices.0.hostPath'],
    [{ kind: 'network', endpoint: 'veth', tapName: 't\u0000', mac: '02:00:00:00:00:01' }, 'devices.0.tapName'],
    [{ kind: 'block', id: 'b', file: '/f', format: 'raw\u0000' }, 'devices.0.format'],
    [{ kind: 'vhostUser', type: 'fs', devId: 'v', socketPath: '/v', tag: 't\u0007' }, 'devices.0.tag'],
    [{ kind: 'volume', mountTag: 'a\nb', hostPath: '/h' }, 'devices.0.mountTag'],
  ])('%j is InvalidInput at %s', (d, path) => {
    expect(unsafeLeft(dev(d))).toMatchObject({ _tag: 'InvalidInput', problems: [{ path }] })
  })
  it('consolePath and the template paths too', () => {
    expect(unsafeLeft(decodeSandbox(sandboxDoc({ consolePath: '/c\n' })))).toMatchObject({ problems: [{ path: 'consolePath' }] })
  })
  it('MACs are lower-cased, as Go prints a net.HardwareAddr', () => {
    const s = sandbox({ devices: [{ kind: 'network', endpoint: 'macvtap', tapName: 'm0', mac: '02:AA:BB:CC:DD:EE', fds: [3] }] })
    expect(s.devices[0]).toMatchObject({ mac: '02:aa:bb:cc:dd:ee' })
  })
  it('amd64 needs host.nested (Kata reads it there); other arches default it to false', () => {
    expect(unsafeLeft(decodeSandbox(sandboxDoc({ host: { memoryMiB: 1 } })))).toMatchObject({ problems: [{ path: 'host.nested' }] })
    expect(sandbox({ arch: 's390x', host: { memoryMiB: 1 } }).host.nested).toBe(false)
    expect(sandbox({ arch: 'arm64', host: { memoryMiB: 1, gicVersion: 0 } }).host.gicVersion).toBeUndefined()
  })
})
