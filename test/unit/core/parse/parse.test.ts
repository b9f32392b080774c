import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { devicesOf, newBridge } from '../../../../src/core/bridges.ts'
import { rootSlotsOf } from '../../../../src/arch/root-bus.ts'
import { ioThreadsOf } from '../../../../src/core/render.ts'
import type { Device } from '../../../../src/core/devices/model.ts'
import { toMessage } from '../../../../src/core/errors.ts'
import { parseArgv, parseLine, splitWords, parseProps, type Parsed } from '../../../../src/core/parse/index.ts'
import { render } from '../../../../src/core/render.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const golden = (d: string): ReadonlyArray<string> =>
  readFileSync(join(root, 'golden', 'amd64', `kata-worked-example.${d}.argv`), 'utf8')
    .trimEnd()
    .split('\n')
const base = [
  '-name',
  'n',
  '-uuid',
  'u',
  '-machine',
  'q35,accel=kvm',
  '-cpu',
  'host',
  '-qmp',
  'unix:/q.sock,server=on,wait=off',
  '-m',
  '512M',
  '-vga',
  'none',
  '-kernel',
  '/k',
  '-pidfile',
  '/p',
]
const ok = (argv: ReadonlyArray<string>): Parsed => {
  const r = parseArgv(argv)
  if (E.isLeft(r)) throw new Error(toMessage(r.left))
  return r.right
}
const dev = (...args: ReadonlyArray<string>): ReadonlyArray<Device> => ok([...base, ...args]).plan.devices
const fails = (args: ReadonlyArray<string>, position: number, reason: RegExp): void => {
  const argv = [...base, ...args]
  const r = parseArgv(argv)
  expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'ParseError', position, token: argv[position] ?? '' })
  expect(E.isLeft(r) && r.left._tag === 'ParseError' && r.left.reason).toMatch(reason)
}

describe('option syntax', () => {
  it('reads ,, as a comma, driver= anywhere, bare booleans and no-prefixed booleans', () => {
    expect(parseProps('driver=virtio-net-pci,mac=a,,b,server,nowait', 'driver')).toEqual({
      head: 'virtio-net-pci',
      props: [
        { key: 'mac', value: 'a,b', bare: false },
        { key: 'server', value: 'on', bare: true },
        { key: 'wait', value: 'off', bare: true },
      ],
    })
    expect(parseProps('id=x,type=vhost-user', 'type').head).toBe('vhost-user')
  })
  it('splits shell words', () => {
    expect(splitWords(`a 'b c' "d\\"e" f\\ g`)).toEqual(E.right(['a', 'b c', 'd"e', 'f g']))
    expect(splitWords(`-name 'open`)).toMatchObject({ left: { _tag: 'ParseError', position: 1, token: "'open" } })
  })
})

describe('govmm dialect (Kata 1.9)', () => {
  const p = ok(golden('govmm'))
  it('detects the dialect and reads the machine with its bare flags', () => {
    expect(p.dialect).toBe('govmm')
    expect(p.rtc).toBe(false)
    expect(p.plan.machine).toEqual({
      type: 'q35',
      options: [
        ['accel', 'kvm'],
        ['kernel_irqchip', undefined],
        ['nvdimm', undefined],
      ],
    })
    expect(p.plan.arch).toBe('amd64')
  })
  it('reads driver=virtio-net-pci with tap fds, vhostfds and mq', () => {
    const net = p.plan.devices.find((d) => d._tag === 'Net')
    expect(net).toMatchObject({
      id: 'network-0',
      mac: '02:42:ac:11:00:02',
      fds: [5],
      vhostFds: [4],
      vhost: true,
      disableModern: false,
      placement: { _tag: 'None' },
    })
  })
  it('reads the chardev server,nowait, empty romfile= and the bridge addr in bare hex', () => {
    expect(p.plan.devices.find((d) => d._tag === 'Char')).toMatchObject({ driver: 'virtconsole', id: 'console0', chardev: 'charconsole0' })
    expect(p.plan.devices[0]).toEqual({ _tag: 'Bridge', type: 'pci', bus: 'pcie.0', id: 'pci-bridge-0', chassis: 1, shpc: true, addr: 2 })
  })
  it('keeps device order, knobs, memory and smp', () => {
    expect(p.plan.devices.map((d) => d._tag)).toEqual(['Bridge', 'Serial', 'Char', 'Nvdimm', 'Scsi', 'Rng', 'Vsock', 'Fs9p', 'Net'])
    expect(p.plan.memory).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 33024 })
    expect(p.plan.smp).toEqual({ cpus: 1, cores: 1, threads: 1, sockets: 8, maxCpus: 8 })
    expect(p.plan.knobs).toMatchObject({ noUserConfig: true, daemonize: true, hugePages: false, realtime: false, mlock: true })
    expect(ioThreadsOf(p.plan.devices)).toEqual(['iothread-5e2a9c04b7d1f386'])
  })
  it('reads vhost-user devices: type=vhost-user netdev with bare vhostforce, blk without id', () => {
    const ds = dev(
      '-chardev',
      'socket,id=char-a,path=/a.sock',
      '-netdev',
      'type=vhost-user,id=net-a,chardev=char-a,vhostforce',
      '-device',
      'virtio-net-pci,netdev=net-a,mac=02:00:00:00:00:01,romfile=',
      '-chardev',
      'socket,id=char-b,path=/b.sock',
      '-device',
      'vhost-user-blk-pci,logical_block_size=4096,size=512M,chardev=char-b,romfile=',
      '-chardev',
      'socket,id=char-c,path=/c.sock',
      '-device',
      'vhost-user-fs-pci,chardev=char-c,tag=kataShared,cache-size=1024M',
    )
    expect(ds).toMatchObject([
      { _tag: 'VhostUser', type: 'net', id: 'net-a', chardev: 'char-a', socketPath: '/a.sock', mac: '02:00:00:00:00:01' },
      { _tag: 'VhostUser', type: 'blk', id: 'blk-b' },
      { _tag: 'VhostUser', type: 'fs', tag: 'kataShared', cacheSizeMiB: 1024, id: 'fs-c' },
    ])
  })
})

describe('qemu dialect (7.2)', () => {
  const p = ok(golden('qemu'))
  it('reads bus=, addr=0xN and on/off', () => {
    expect(p.dialect).toBe('qemu')
    expect(p.rtc).toBe(true)
    expect(p.plan.devices.find((d) => d._tag === 'Net')).toMatchObject({ placement: { _tag: 'Pci', bus: 'pcie.0', slot: 7 } })
    expect(p.plan.machine.options).toEqual([
      ['accel', 'kvm'],
      ['kernel_irqchip', 'on'],
      ['nvdimm', 'on'],
    ])
  })
  it('rebuilds root-bus slots and bridge maps from placements', () => {
    expect(rootSlotsOf(p.plan.state)).toEqual({
      1: 'serial0',
      2: 'pci-bridge-0',
      3: 'scsi0',
      4: 'rng0',
      5: 'vsock-3054198027',
      6: 'extra-9p-kataShared',
      7: 'network-0',
    })
    expect(p.plan.state.bridges).toEqual([newBridge('pci', 'pci-bridge-0', 2)])
    expect(p.plan.state.bridges.map(devicesOf)).toEqual([{}])
  })
  it('reads devno= on s390x', () => {
    const s = ok([
      '/usr/bin/qemu-system-s390x',
      ...base.map((w) => (w === 'q35,accel=kvm' ? 's390-ccw-virtio,accel=kvm' : w)),
      '-device',
      'virtio-serial-ccw,id=serial0,devno=fe.0.0001',
    ])
    expect(s.plan.transport).toBe('ccw')
    expect(s.plan.devices).toEqual([
      { _tag: 'Serial', id: 'serial0', disableModern: false, placement: { _tag: 'Ccw', devno: 'fe.0.0001' } },
    ])
    expect(s.plan.state.bridges).toEqual([newBridge('ccw', 'ccw-bridge-0', 0, { 1: 'serial0' })])
    expect(s.plan.state.bridges.map((b) => [b.type, b.id, b.addr, b.maxCapacity, devicesOf(b)])).toEqual([
      ['ccw', 'ccw-bridge-0', 0, 0xffff, { 1: 'serial0' }],
    ])
  })
})

describe('a Kata 1.9 command line as ps shows it', () => {
  it('runs the unquoted -append value to the next option and renders the same argv', () => {
    const line = readFileSync(join(root, 'fixtures', 'argv', 'kata-1.9-ps.txt'), 'utf8')
    const r = parseLine(line)
    expect(E.isRight(r) && r.right.plan.kernel.params.length).toBe(27)
    const again = E.isRight(r) ? render(r.right.plan, 'govmm') : undefined
    expect(again && E.isRight(again) ? [again.right.binary, ...again.right.args] : again).toEqual(golden('govmm'))
  })
})

describe('typed errors name the argv token', () => {
  it('unknown option, missing value, no option', () => {
    fails(['-snapshot'], 18, /unknown option -snapshot/)
    fails(['-device'], 18, /needs a value/)
    fails(['stray'], 18, /expected an option/)
  })
  it('unknown driver and unknown property', () => {
    fails(['-device', 'e1000,id=n'], 19, /driver e1000 is not in the device model/)
    fails(['-device', 'virtio-serial-pci,id=s,bootindex=1'], 19, /unknown property bootindex/)
    fails(['-device', 'virtio-serial-pci,id=s,id=t'], 19, /given twice/)
  })
  it('backends: missing, wrong kind, unused, duplicate', () => {
    fails(['-device', 'virtio-9p-pci,fsdev=f,mount_tag=t'], 19, /no fsdev f/)
    fails(['-chardev', 'socket,id=c,path=/c'], 19, /not used by any device/)
    fails(
      ['-fsdev', 'local,id=f,path=/a,security_model=none', '-fsdev', 'local,id=f,path=/b,security_model=none'],
      21,
      /already used by another fsdev/,
    )
    fails(['-fsdev', 'local,id=f,path=/a,security_model=mapped'], 19, /security_model=none/)
  })
  it('a backend taken twice, whether it comes right before the device or elsewhere', () => {
    const drive = ['-drive', 'id=d,file=/f,aio=threads,format=raw,if=none']
    const disk = (id: string) => ['-device', `virtio-blk-pci,drive=d,scsi=off,config-wce=off,id=${id}`]
    // the second device's drive is two options back: found by id
    fails([...drive, ...disk('d'), ...disk('d')], 23, /drive d is already used by another device/)
    // the second device's drive is right before it, or right after it
    fails([...disk('d'), ...drive, ...disk('d')], 23, /drive d is already used by another device/)
    fails([...disk('d'), ...disk('d'), ...drive], 21, /drive d is already used by another device/)
    // right before it, but another id: found by id, and the one before is left unused
    fails(['-drive', 'id=e,file=/e,aio=threads,format=raw,if=none', ...drive, ...disk('d')], 19, /drive e is not used/)
    fails([...drive, '-drive', 'id=e,file=/e,aio=threads,format=raw,if=none', ...disk('d')], 21, /drive e is not used/)
    fails([...drive, ...disk('d'), '-device', 'virtio-serial-pci,id=d'], 23, /id d is already used by another device/)
  })
  it('values the model cannot hold', () => {
    fails(['-device', 'virtio-blk-pci,drive=d', '-drive', 'id=d,file=/f,aio=threads,format=raw,if=none'], 19, /scsi=off/)
    fails(['-device', 'virtio-serial-pci,id=s,addr=0x3'], 19, /bus= and addr= go together/)
    fails(['-device', 'virtio-serial-pci,id=s,bus=pci.0,addr=0x3.1'], 19, /not a PCI slot/)
    fails(['-device', 'virtio-serial-ccw,id=s'], 19, /pci transport/)
    fails(['-global', 'foo.bar=1'], 19, /kvm-pit/)
    fails(['-name', 'again'], 18, /given twice/)
    fails(['-smp', '4,maxcpus=2'], 19, /below the CPU count/)
  })
  it('a missing required option is at the end', () => {
    const r = parseArgv(base.slice(2))
    expect(r).toMatchObject({ left: { _tag: 'ParseError', position: base.length - 2, token: '' } })
  })
})

describe('flag spellings QEMU accepts', () => {
  it('reads -M, --machine and the type= form', () => {
    const swap = (w: string): ReadonlyArray<string> => base.map((x) => (x === '-machine' ? w : x))
    expect(ok(swap('-M')).plan.machine.type).toBe('q35')
    expect(ok(swap('--machine')).plan.machine.type).toBe('q35')
    expect(ok(base.map((x) => (x === 'q35,accel=kvm' ? 'accel=kvm,type=q35' : x))).plan.machine).toEqual({
      type: 'q35',
      options: [['accel', 'kvm']],
    })
  })
  it('reads sizes with suffixes and smp without a head', () => {
    expect(ok(base.map((x) => (x === '512M' ? '2G,maxmem=4G' : x))).plan.memory).toEqual({ sizeMiB: 2048, slots: 0, maxMemMiB: 4096 })
    expect(ok([...base, '-smp', 'cpus=2,maxcpus=4']).plan.smp).toMatchObject({ cpus: 2, maxCpus: 4 })
  })
})
