/** Every device module's option lists in both dialects (govmm's disable-modern/romfile/devno rules), its Valid() problem, and the registry. */
import { describe, expect, it } from 'vitest'
import type { Device, Placement } from '../../../../src/core/devices/index.ts'
import {
  devno,
  disableModern,
  driver,
  govmmVirtioCcw,
  govmmVirtioPci,
  place,
  resolve,
  romfile,
  toArguments,
  type Dialect,
  type Item,
  type Where,
} from '../../../../src/core/devices/profile.ts'
import { placementOf, problemOf as problem, registry, vocabulary } from '../../../../src/core/devices/registry.ts'
import type {
  Block,
  Bridge,
  Entropy,
  Nic,
  Nvdimm,
  Port,
  ScsiController,
  ScsiDisk,
  Serial,
  Share,
  Vfio,
  VhostUser,
  Vsock,
} from '../../../../src/core/devices/model.ts'
import { parseOpts } from '../../../../src/core/opts.ts'
import { renderDevice as renderWith } from '../../../../src/core/render.ts'

type Ctx = Where & { readonly dialect: Dialect }
const g: Ctx = { dialect: 'govmm', transport: 'pci', fdBase: 3 }
const q: Ctx = { dialect: 'qemu', transport: 'pci', fdBase: 3 }
const gCcw: Ctx = { dialect: 'govmm', transport: 'ccw', fdBase: 3 }
const at: Placement = { _tag: 'Pci', bus: 'pci-bridge-0', slot: 5 }
const renderDevice = (d: Device, c: Ctx) => renderWith(d, c.dialect, c)
const r = (d: Device, c: Ctx) => renderDevice(d, c).args
const opt = (items: ReadonlyArray<Item>, c: Ctx) => resolve(items, c.dialect, c)

const bridge: Bridge = { _tag: 'Bridge', type: 'pci', bus: 'pci.0', id: 'pci-bridge-0', chassis: 1, shpc: true, addr: 12 }
const serial: Serial = { _tag: 'Serial', id: 'serial0', disableModern: false, placement: at }
const console0: Port = {
  _tag: 'Char',
  driver: 'virtconsole',
  id: 'console0',
  chardev: 'charconsole0',
  path: '/run/c.sock',
  name: undefined,
}
const port: Port = {
  _tag: 'Char',
  driver: 'virtserialport',
  id: 'channel0',
  chardev: 'charch0',
  path: '/run/k,a.sock',
  name: 'agent.channel.0',
}
const block: Block = {
  _tag: 'Block',
  id: 'drive-0',
  file: '/img,1.raw',
  format: 'raw',
  aio: 'threads',
  cache: undefined,
  disableModern: false,
  shareRW: false,
  placement: at,
}
const scsi: ScsiController = { _tag: 'Scsi', id: 'scsi0', ioThread: 'iothread-0123456789abcdef', disableModern: true, placement: at }
const disk: ScsiDisk = {
  _tag: 'ScsiDisk',
  id: 's1',
  file: '/s.img',
  format: 'qcow2',
  cache: undefined,
  bus: 'scsi0.0',
  scsiId: 0,
  lun: 3,
  shareRW: true,
}
const fs: Share = { _tag: 'Fs9p', id: 'extra-9p-kataShared', path: '/shared', mountTag: 'kataShared', disableModern: false, placement: at }
const vsock: Vsock = { _tag: 'Vsock', id: 'vsock-3', contextId: 3, vhostFd: 10, disableModern: false, placement: at }
const net: Nic = {
  _tag: 'Net',
  type: 'tap',
  id: 'network-0',
  ifName: 'tap0_kata',
  mac: '02:42:ac:11:00:02',
  fds: [12],
  vhostFds: [11],
  vhost: true,
  disableModern: false,
  placement: at,
}
const vhost = (type: VhostUser['type'], over: Partial<VhostUser> = {}): VhostUser => ({
  _tag: 'VhostUser',
  type,
  id: `${type}-abc`,
  chardev: 'char-abc',
  socketPath: '/vu.sock',
  mac: '02:00:00:00:00:01',
  tag: 'kataShared',
  cacheSizeMiB: 0,
  placement: at,
  ...over,
})
const vfio: Vfio = {
  _tag: 'Vfio',
  id: 'vfio-0',
  bdf: '02:10.0',
  sysfsdev: undefined,
  vendorId: '0x1234',
  deviceId: '0x5678',
  placement: at,
}
const nvdimm: Nvdimm = { _tag: 'Nvdimm', id: 'nv0', memdev: 'mem0', memPath: '/img', size: 134217728, share: false }
const rng: Entropy = { _tag: 'Rng', id: 'rng0', filename: '/dev/urandom', placement: at }

describe('dialect profiles: driver names and govmm rules (govmm qemu.go isVirtioPCI/isVirtioCCW)', () => {
  it('govmm keeps the virtio-blk and virtio-rng aliases; everything else gets the transport suffix', () => {
    expect(opt([driver('virtio-blk', { alias: true })], g)).toEqual(['virtio-blk'])
    expect(opt([driver('virtio-rng', { alias: true })], g)).toEqual(['virtio-rng'])
    expect(opt([driver('virtio-net')], g)).toEqual(['virtio-net-pci'])
    expect(opt([driver('virtio-blk', { alias: true })], q)).toEqual(['virtio-blk-pci'])
    expect(opt([driver('virtio-serial')], gCcw)).toEqual(['virtio-serial-ccw'])
    expect(opt([driver('virtio-net', { keyed: true })], g)).toEqual([['driver', 'virtio-net-pci']])
    expect(opt([driver('virtio-net', { keyed: true })], q)).toEqual(['virtio-net-pci'])
  })
  it('isVirtioPCI: the 14 drivers of the PCI build', () => {
    expect([...govmmVirtioPci].sort()).toEqual(
      [
        'pci-bridge',
        'pcie-pci-bridge',
        'vfio-pci',
        'vhost-user-blk-pci',
        'vhost-user-scsi-pci',
        'vhost-vsock-pci',
        'virtio-9p-pci',
        'virtio-balloon',
        'virtio-blk',
        'virtio-blk-pci',
        'virtio-net-pci',
        'virtio-rng',
        'virtio-scsi-pci',
        'virtio-serial-pci',
      ].sort(),
    )
    expect(govmmVirtioPci.has('vhost-user-fs-pci')).toBe(false)
    expect(govmmVirtioCcw.has('virtio-blk')).toBe(true)
  })
  it('disable-modern: govmm prints true/false on PCI virtio drivers; qemu only =on when set', () => {
    expect(opt(['virtio-net-pci', disableModern(false)], g)).toEqual(['virtio-net-pci', ['disable-modern', 'false']])
    expect(opt(['virtconsole', disableModern(true)], g)).toEqual(['virtconsole'])
    expect(opt(['virtio-net-ccw', disableModern(true)], gCcw)).toEqual(['virtio-net-ccw'])
    expect(opt(['virtio-net-pci', disableModern(false)], q)).toEqual(['virtio-net-pci'])
    expect(opt(['virtio-net-pci', disableModern(true)], q)).toEqual(['virtio-net-pci', ['disable-modern', true]])
    expect(opt(['virtio-net-pci', disableModern(true, 'qemu')], g)).toEqual(['virtio-net-pci'])
    expect(opt(['virtio-net-pci', disableModern(true, 'govmm')], q)).toEqual(['virtio-net-pci'])
  })
  it('romfile= only in govmm (and QMP) on PCI virtio drivers; devno= only in govmm on CCW drivers', () => {
    expect(opt(['virtio-rng', romfile], g)).toEqual(['virtio-rng', ['romfile', '']])
    expect(opt(['nvdimm', romfile], g)).toEqual(['nvdimm'])
    expect(opt(['virtio-rng-pci', romfile], q)).toEqual(['virtio-rng-pci'])
    expect(resolve(['virtio-net-pci', romfile], 'qmp', q)).toEqual(['virtio-net-pci', ['romfile', '']])
    expect(opt(['virtio-blk', devno({ _tag: 'Ccw', devno: 'fe.0.0002' })], gCcw)).toEqual(['virtio-blk', ['devno', 'fe.0.0002']])
    expect(opt(['vfio-ccw', devno({ _tag: 'None' })], gCcw)).toEqual(['vfio-ccw', ['devno', '']])
    expect(opt(['virtio-blk', devno(at)], g)).toEqual(['virtio-blk'])
  })
  it('place: bus/addr in hex for PCI, devno for CCW, nothing in govmm', () => {
    expect(opt(['x', place(at)], q)).toEqual(['x', ['bus', 'pci-bridge-0'], ['addr', '0x5']])
    expect(opt(['x', place({ _tag: 'Pci', bus: 'pcie.0', slot: 30 })], q)).toEqual(['x', ['bus', 'pcie.0'], ['addr', '0x1e']])
    expect(opt(['x', place({ _tag: 'Ccw', devno: 'fe.0.0001' })], q)).toEqual(['x', ['devno', 'fe.0.0001']])
    expect(opt(['x', place({ _tag: 'None' })], q)).toEqual(['x'])
    expect(opt(['x', place(at)], g)).toEqual(['x'])
  })
  it('QMP arguments: the head is the driver, booleans and numbers stay typed', () => {
    expect(toArguments(['virtio-blk-pci', ['scsi', false], ['lun', 3], ['drive', 'd']], 'driver')).toEqual({
      driver: 'virtio-blk-pci',
      scsi: false,
      lun: 3,
      drive: 'd',
    })
  })
})

describe('registry', () => {
  it('has one module per device kind, and its drivers are in the probe vocabulary', () => {
    const all: ReadonlyArray<Device> = [bridge, serial, console0, block, scsi, disk, fs, vsock, net, vhost('fs'), vfio, nvdimm, rng]
    expect(new Set(all.map((d) => d._tag))).toEqual(new Set(Object.keys(registry)))
    for (const d of all)
      for (const c of [g, q, { ...q, transport: 'ccw' } as Ctx])
        for (const [i, a] of r(d, c).entries())
          if (r(d, c)[i - 1] === '-device') {
            const [first] = parseOpts(a)
            const drv = first?.[0] === 'driver' ? (first[1] as string) : (first?.[0] as string)
            if (c.dialect === 'qemu') expect(vocabulary.drivers, `${d._tag} ${drv}`).toContain(drv)
          }
  })
})

describe('pci-bridge', () => {
  it('govmm: decimal addr printed as hex, romfile=', () => {
    expect(r(bridge, g)).toEqual(['-device', 'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=c,romfile='])
  })
  it('qemu: 0x-prefixed addr, no romfile', () =>
    expect(r(bridge, q)).toEqual(['-device', 'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=0xc']))
  it('PCIe: pcie-pci-bridge without chassis_nr and shpc', () => {
    expect(r({ ...bridge, type: 'pcie', bus: 'pcie.0', id: 'pcie-bridge-0', addr: 2 }, g)).toEqual([
      '-device',
      'pcie-pci-bridge,bus=pcie.0,id=pcie-bridge-0,addr=2,romfile=',
    ])
  })
})

describe('virtio-serial and ports', () => {
  it('serial controller', () => {
    expect(r(serial, g)).toEqual(['-device', 'virtio-serial-pci,disable-modern=false,id=serial0,romfile='])
    expect(r(serial, q)).toEqual(['-device', 'virtio-serial-pci,id=serial0,bus=pci-bridge-0,addr=0x5'])
    expect(r({ ...serial, disableModern: true }, g)).toEqual(['-device', 'virtio-serial-pci,disable-modern=true,id=serial0,romfile='])
  })
  it('console: virtconsole + socket chardev', () => {
    expect(r(console0, g)).toEqual([
      '-device',
      'virtconsole,chardev=charconsole0,id=console0',
      '-chardev',
      'socket,id=charconsole0,path=/run/c.sock,server,nowait',
    ])
    expect(r(console0, q)).toEqual([
      '-device',
      'virtconsole,chardev=charconsole0,id=console0',
      '-chardev',
      'socket,id=charconsole0,path=/run/c.sock,server=on,wait=off',
    ])
  })
  it('serial port with a name; commas in the path are doubled', () => {
    expect(r(port, g)).toEqual([
      '-device',
      'virtserialport,chardev=charch0,id=channel0,name=agent.channel.0',
      '-chardev',
      'socket,id=charch0,path=/run/k,,a.sock,server,nowait',
    ])
  })
})

describe('virtio-blk and SCSI', () => {
  it('govmm: the alias, drive=, scsi/config-wce off, romfile=, then -drive', () => {
    expect(r(block, g)).toEqual([
      '-device',
      'virtio-blk,disable-modern=false,drive=drive-0,scsi=off,config-wce=off,romfile=',
      '-drive',
      'id=drive-0,file=/img,,1.raw,aio=threads,format=raw,if=none',
    ])
    expect(r({ ...block, shareRW: true }, g)[1]).toBe(
      'virtio-blk,disable-modern=false,drive=drive-0,scsi=off,config-wce=off,romfile=,share-rw=on',
    )
  })
  it('qemu: virtio-blk-pci with id, share-rw and placement', () => {
    expect(r({ ...block, shareRW: true }, q)[1]).toBe(
      'virtio-blk-pci,drive=drive-0,scsi=off,config-wce=off,id=drive-0,share-rw=on,bus=pci-bridge-0,addr=0x5',
    )
  })
  it('a file path recovers exactly from the -drive option string', () => {
    const drive = r({ ...block, file: '/a,,b=c,d' }, q)[3] as string
    expect(parseOpts(drive).find(([k]) => k === 'file')?.[1]).toBe('/a,,b=c,d')
  })
  it('scsi-hd on the controller bus, the same in both dialects, with its drive', () => {
    const want = [
      '-device',
      'scsi-hd,drive=s1,bus=scsi0.0,scsi-id=0,lun=3,id=s1,share-rw=on',
      '-drive',
      'id=s1,file=/s.img,aio=threads,format=qcow2,if=none',
    ]
    expect(r(disk, g)).toEqual(want)
    expect(r(disk, q)).toEqual(want)
  })
  it('cache options reach -drive only when set', () => {
    expect(r({ ...block, cache: { direct: true, noFlush: false } }, q)[3]).toBe(
      'id=drive-0,file=/img,,1.raw,aio=threads,format=raw,if=none,cache.direct=on,cache.no-flush=off',
    )
  })
  it('SCSI controller with its IO thread', () => {
    expect(r(scsi, g)).toEqual(['-device', 'virtio-scsi-pci,id=scsi0,disable-modern=true,iothread=iothread-0123456789abcdef,romfile='])
    expect(r({ ...scsi, ioThread: undefined, disableModern: false }, q)).toEqual([
      '-device',
      'virtio-scsi-pci,id=scsi0,bus=pci-bridge-0,addr=0x5',
    ])
  })
})

describe('virtio-9p', () => {
  it('device + fsdev', () => {
    expect(r(fs, g)).toEqual([
      '-device',
      'virtio-9p-pci,disable-modern=false,fsdev=extra-9p-kataShared,mount_tag=kataShared,romfile=',
      '-fsdev',
      'local,id=extra-9p-kataShared,path=/shared,security_model=none',
    ])
    expect(r(fs, q)[1]).toBe(
      'virtio-9p-pci,fsdev=extra-9p-kataShared,mount_tag=kataShared,id=extra-9p-kataShared,bus=pci-bridge-0,addr=0x5',
    )
  })
})

describe('vhost-vsock', () => {
  it('vhostfd takes the next child fd; the host fd is passed', () => {
    expect(renderDevice(vsock, { ...g, fdBase: 7 })).toEqual({
      args: ['-device', 'vhost-vsock-pci,disable-modern=false,vhostfd=7,id=vsock-3,guest-cid=3,romfile='],
      fds: [10],
    })
    expect(renderDevice({ ...vsock, vhostFd: undefined }, q)).toEqual({
      args: ['-device', 'vhost-vsock-pci,id=vsock-3,guest-cid=3,bus=pci-bridge-0,addr=0x5'],
      fds: [],
    })
  })
  it('problem: CID outside 3..2^32-1', () => {
    expect(problem({ ...vsock, contextId: 2 })).toEqual({ field: 'contextId', reason: 'guest CID 2 is outside 3..4294967295' })
    expect(problem({ ...vsock, contextId: 2 ** 32 })).toMatchObject({ field: 'contextId' })
    expect(problem({ ...vsock, contextId: 2 ** 32 - 1 })).toBeUndefined()
    expect(problem(vsock)).toBeUndefined()
  })
})

describe('virtio-net on tap', () => {
  it('govmm: vhost fds before tap fds, driver=, mq and vectors', () => {
    expect(renderDevice({ ...net, fds: [12, 13], vhostFds: [11, 14] }, g)).toEqual({
      args: [
        '-netdev',
        'tap,id=network-0,vhost=on,vhostfds=3:4,fds=5:6',
        '-device',
        'driver=virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,disable-modern=false,mq=on,vectors=6,romfile=',
      ],
      fds: [11, 14, 12, 13],
    })
  })
  it('without fds: ifname, downscript=no, script=no and no mq', () => {
    expect(r({ ...net, fds: [], vhostFds: [] }, g)).toEqual([
      '-netdev',
      'tap,id=network-0,vhost=on,ifname=tap0_kata,downscript=no,script=no',
      '-device',
      'driver=virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,disable-modern=false,romfile=',
    ])
  })
  it('vhost off: no vhost=on and the vhost fds are not passed', () => {
    expect(renderDevice({ ...net, vhost: false }, g)).toMatchObject({
      args: ['-netdev', 'tap,id=network-0,fds=3', '-device', expect.any(String)],
      fds: [12],
    })
  })
  it('qemu: the device gets an id and a placement', () => {
    expect(r(net, q)[3]).toBe(
      'virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,id=network-0,mq=on,vectors=4,bus=pci-bridge-0,addr=0x5',
    )
  })
  it('macvtap renders as a tap netdev with its fds; without fds it is a problem', () => {
    expect(r({ ...net, type: 'macvtap' }, g)[1]).toBe('tap,id=network-0,vhost=on,vhostfds=3,fds=4')
    expect(problem({ ...net, type: 'macvtap', fds: [] })).toMatchObject({ field: 'fds' })
    expect(problem({ ...net, fds: [] })).toBeUndefined()
  })
})

describe('vhost-user', () => {
  it('net', () => {
    expect(r(vhost('net'), g)).toEqual([
      '-chardev',
      'socket,id=char-abc,path=/vu.sock',
      '-netdev',
      'type=vhost-user,id=net-abc,chardev=char-abc,vhostforce',
      '-device',
      'virtio-net-pci,netdev=net-abc,mac=02:00:00:00:00:01,romfile=',
    ])
    expect(r(vhost('net'), q)).toEqual([
      '-chardev',
      'socket,id=char-abc,path=/vu.sock',
      '-netdev',
      'vhost-user,id=net-abc,chardev=char-abc,vhostforce=on',
      '-device',
      'virtio-net-pci,netdev=net-abc,mac=02:00:00:00:00:01,id=net-abc,bus=pci-bridge-0,addr=0x5',
    ])
  })
  it('scsi', () => {
    expect(r(vhost('scsi'), g)).toEqual([
      '-chardev',
      'socket,id=char-abc,path=/vu.sock',
      '-device',
      'vhost-user-scsi-pci,id=scsi-abc,chardev=char-abc,romfile=',
    ])
  })
  it('blk: govmm hard-codes logical_block_size and size and gives no id', () => {
    expect(r(vhost('blk'), g)[3]).toBe('vhost-user-blk-pci,logical_block_size=4096,size=512M,chardev=char-abc,romfile=')
    expect(r(vhost('blk'), q)[3]).toBe('vhost-user-blk-pci,chardev=char-abc,id=blk-abc,bus=pci-bridge-0,addr=0x5')
  })
  it('fs: cache-size in MiB (0M when 0), no romfile; qemu drops cache-size', () => {
    expect(r(vhost('fs'), g)[3]).toBe('vhost-user-fs-pci,chardev=char-abc,tag=kataShared,cache-size=0M')
    expect(r(vhost('fs', { cacheSizeMiB: 1024 }), g)[3]).toBe('vhost-user-fs-pci,chardev=char-abc,tag=kataShared,cache-size=1024M')
    expect(r(vhost('fs'), q)[3]).toBe('vhost-user-fs-pci,chardev=char-abc,tag=kataShared,id=fs-abc,bus=pci-bridge-0,addr=0x5')
  })
  it('problems: net without MAC, fs without tag', () => {
    expect(problem(vhost('net', { mac: undefined }))).toMatchObject({ field: 'mac' })
    expect(problem(vhost('fs', { tag: undefined }))).toMatchObject({ field: 'tag' })
    expect(problem(vhost('scsi', { mac: undefined, tag: undefined }))).toBeUndefined()
    expect(problem(vhost('blk'))).toBeUndefined()
  })
})

describe('vfio', () => {
  it('a mediated device by sysfsdev; on CCW govmm printed an empty devno= and no PCI ids', () => {
    expect(r({ ...vfio, bdf: undefined, sysfsdev: '/sys/bus/mdev/devices/u' }, q)).toEqual([
      '-device',
      'vfio-pci,sysfsdev=/sys/bus/mdev/devices/u,x-pci-vendor-id=0x1234,x-pci-device-id=0x5678,id=vfio-0,bus=pci-bridge-0,addr=0x5',
    ])
    expect(r({ ...vfio, placement: { _tag: 'None' } }, gCcw)).toEqual(['-device', 'vfio-ccw,host=02:10.0,devno='])
  })
  it('host, vendor and device ids, romfile=', () => {
    expect(r(vfio, g)).toEqual(['-device', 'vfio-pci,host=02:10.0,x-pci-vendor-id=0x1234,x-pci-device-id=0x5678,romfile='])
    expect(r({ ...vfio, vendorId: undefined, deviceId: undefined }, g)).toEqual(['-device', 'vfio-pci,host=02:10.0,romfile='])
    expect(r(vfio, q)).toEqual([
      '-device',
      'vfio-pci,host=02:10.0,x-pci-vendor-id=0x1234,x-pci-device-id=0x5678,id=vfio-0,bus=pci-bridge-0,addr=0x5',
    ])
  })
})

describe('nvdimm and rng', () => {
  it('nvdimm: device before its backend, the same in both dialects', () => {
    const want = ['-device', 'nvdimm,id=nv0,memdev=mem0', '-object', 'memory-backend-file,id=mem0,mem-path=/img,size=134217728']
    expect(r(nvdimm, g)).toEqual(want)
    expect(r(nvdimm, q)).toEqual(want)
    expect(problem({ ...nvdimm, size: 0 })).toEqual({ field: 'image', reason: 'image /img has size 0' })
    expect(problem(nvdimm)).toBeUndefined()
  })
  it('rng: backend object, then the device', () => {
    expect(r(rng, g)).toEqual(['-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng,rng=rng0,romfile='])
    expect(r(rng, q)).toEqual([
      '-object',
      'rng-random,id=rng0,filename=/dev/urandom',
      '-device',
      'virtio-rng-pci,rng=rng0,id=rng0,bus=pci-bridge-0,addr=0x5',
    ])
  })
})

describe('placementOf / problem', () => {
  it('placements: a bridge sits at its addr; chardevs and NVDIMMs have none', () => {
    expect(placementOf(bridge)).toEqual({ _tag: 'Pci', bus: 'pci.0', slot: 12 })
    expect(placementOf(console0)).toEqual({ _tag: 'None' })
    expect(placementOf(nvdimm)).toEqual({ _tag: 'None' })
    expect(placementOf(block)).toBe(at)
  })
  it('devices govmm always renders have no problem', () => {
    for (const d of [bridge, serial, console0, block, scsi, fs, vfio, rng]) expect(problem(d)).toBeUndefined()
  })
})
