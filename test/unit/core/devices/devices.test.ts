/** Every device renderer in both dialects, with govmm's disable-modern/romfile/devno rules and Valid() problems (reference §7). */
import { describe, expect, it } from 'vitest'
import { disableModern, driver, govmmDevno, govmmVirtioCcw, govmmVirtioPci, place, romfile } from '../../../../src/core/devices/common.ts'
import { deviceId, placementOf, problem, renderDevice } from '../../../../src/core/devices/index.ts'
import type {
  BlockDevice, BridgeDevice, CharDevice, Device, FsDevice, NetDevice, NvdimmDevice, Placement, RenderCtx, RngDevice, ScsiController, SerialDevice,
  VfioDevice, VhostUserDevice, VsockDevice,
} from '../../../../src/core/devices/model.ts'
import { parseOpts } from '../../../../src/core/opts.ts'

const g: RenderCtx = { dialect: 'govmm', transport: 'pci', fdBase: 3 }
const q: RenderCtx = { dialect: 'qemu', transport: 'pci', fdBase: 3 }
const gCcw: RenderCtx = { dialect: 'govmm', transport: 'ccw', fdBase: 3 }
const at: Placement = { _tag: 'Pci', bus: 'pci-bridge-0', slot: 5 }
const r = (d: Device, ctx: RenderCtx) => renderDevice(d, ctx).args

const bridge: BridgeDevice = { _tag: 'Bridge', type: 'pci', bus: 'pci.0', id: 'pci-bridge-0', chassis: 1, shpc: true, addr: 12 }
const serial: SerialDevice = { _tag: 'Serial', id: 'serial0', disableModern: false, placement: at }
const console0: CharDevice = { _tag: 'Char', driver: 'virtconsole', deviceId: 'console0', id: 'charconsole0', path: '/run/c.sock', name: undefined }
const port: CharDevice = { _tag: 'Char', driver: 'virtserialport', deviceId: 'channel0', id: 'charch0', path: '/run/k,a.sock', name: 'agent.channel.0' }
const block: BlockDevice = { _tag: 'Block', id: 'drive-0', file: '/img,1.raw', format: 'raw', aio: 'threads', disableModern: false, shareRW: false, placement: at }
const scsi: ScsiController = { _tag: 'Scsi', id: 'scsi0', ioThread: 'iothread-0123456789abcdef', disableModern: true, placement: at }
const fs: FsDevice = { _tag: 'Fs9p', id: 'extra-9p-kataShared', path: '/shared', mountTag: 'kataShared', disableModern: false, placement: at }
const vsock: VsockDevice = { _tag: 'Vsock', id: 'vsock-3', contextId: 3, vhostFd: 10, disableModern: false, placement: at }
const net: NetDevice = {
  _tag: 'Net', type: 'tap', id: 'network-0', ifName: 'tap0_kata', mac: '02:42:ac:11:00:02', fds: [12], vhostFds: [11], vhost: true, disableModern: false, placement: at,
}
const vhost = (type: VhostUserDevice['type'], over: Partial<VhostUserDevice> = {}): VhostUserDevice => ({
  _tag: 'VhostUser', type, socketPath: '/vu.sock', charDevId: 'char-abc', typeDevId: type === 'blk' ? '' : `${type}-abc`, blkId: 'blk-abc',
  mac: '02:00:00:00:00:01', tag: 'kataShared', cacheSizeMiB: 0, placement: at, ...over,
})
const vfio: VfioDevice = { _tag: 'Vfio', id: 'vfio-0', bdf: '02:10.0', vendorId: '0x1234', deviceId: '0x5678', placement: at }
const nvdimm: NvdimmDevice = { _tag: 'Nvdimm', deviceId: 'nv0', id: 'mem0', memPath: '/img', size: 134217728 }
const rng: RngDevice = { _tag: 'Rng', id: 'rng0', filename: '/dev/urandom', placement: at }

describe('common: driver names and govmm rules (reference §7.1)', () => {
  it('govmm keeps the virtio-blk and virtio-rng aliases; everything else gets the transport suffix', () => {
    expect(driver(g, 'virtio-blk')).toBe('virtio-blk')
    expect(driver(g, 'virtio-rng')).toBe('virtio-rng')
    expect(driver(g, 'virtio-net')).toBe('virtio-net-pci')
    expect(driver(q, 'virtio-blk')).toBe('virtio-blk-pci')
    expect(driver(gCcw, 'virtio-serial')).toBe('virtio-serial-ccw')
  })
  it('isVirtioPCI: the 14 drivers of the PCI build', () => {
    expect([...govmmVirtioPci].sort()).toEqual(
      ['pci-bridge', 'pcie-pci-bridge', 'vfio-pci', 'vhost-user-blk-pci', 'vhost-user-scsi-pci', 'vhost-vsock-pci', 'virtio-9p-pci', 'virtio-balloon', 'virtio-blk', 'virtio-blk-pci', 'virtio-net-pci', 'virtio-rng', 'virtio-scsi-pci', 'virtio-serial-pci'].sort(),
    )
    expect(govmmVirtioPci.has('vhost-user-fs-pci')).toBe(false)
    expect(govmmVirtioCcw.has('virtio-blk')).toBe(true)
  })
  it('disable-modern: govmm prints true/false on PCI virtio drivers; qemu only =on when set', () => {
    expect(disableModern(g, 'virtio-net-pci', false)).toEqual([['disable-modern', 'false']])
    expect(disableModern(g, 'virtconsole', true)).toEqual([])
    expect(disableModern(gCcw, 'virtio-net-ccw', true)).toEqual([])
    expect(disableModern(q, 'virtio-net-pci', false)).toEqual([])
    expect(disableModern(q, 'virtio-net-pci', true)).toEqual([['disable-modern', true]])
  })
  it('romfile= only in govmm on PCI virtio drivers; devno= only in govmm on CCW drivers', () => {
    expect(romfile(g, 'virtio-rng')).toEqual([['romfile', '']])
    expect(romfile(g, 'nvdimm')).toEqual([])
    expect(romfile(q, 'virtio-rng-pci')).toEqual([])
    expect(govmmDevno(gCcw, 'virtio-blk', { _tag: 'Ccw', devno: 'fe.0.0002', key: 'k' })).toEqual([['devno', 'fe.0.0002']])
    expect(govmmDevno(gCcw, 'vfio-ccw', { _tag: 'None' })).toEqual([['devno', '']])
    expect(govmmDevno(g, 'virtio-blk', at)).toEqual([])
  })
  it('place: bus/addr in hex for PCI, devno for CCW, nothing in govmm', () => {
    expect(place(q, at)).toEqual([['bus', 'pci-bridge-0'], ['addr', '0x5']])
    expect(place(q, { _tag: 'Pci', bus: 'pcie.0', slot: 30 })).toEqual([['bus', 'pcie.0'], ['addr', '0x1e']])
    expect(place(q, { _tag: 'Ccw', devno: 'fe.0.0001', key: 'k' })).toEqual([['devno', 'fe.0.0001']])
    expect(place(q, { _tag: 'None' })).toEqual([])
    expect(place(g, at)).toEqual([])
  })
})

describe('bridge (§7.7)', () => {
  it('govmm: decimal addr printed as hex, romfile=', () => {
    expect(r(bridge, g)).toEqual(['-device', 'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=c,romfile='])
  })
  it('qemu: 0x-prefixed addr, no romfile', () => expect(r(bridge, q)).toEqual(['-device', 'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=0xc']))
  it('PCIe: pcie-pci-bridge without chassis_nr and shpc', () => {
    expect(r({ ...bridge, type: 'pcie', bus: 'pcie.0', id: 'pcie-bridge-0', addr: 2 }, g)).toEqual(['-device', 'pcie-pci-bridge,bus=pcie.0,id=pcie-bridge-0,addr=2,romfile='])
  })
})

describe('virtio-serial and ports (§7.3, §7.4)', () => {
  it('serial controller', () => {
    expect(r(serial, g)).toEqual(['-device', 'virtio-serial-pci,disable-modern=false,id=serial0,romfile='])
    expect(r(serial, q)).toEqual(['-device', 'virtio-serial-pci,id=serial0,bus=pci-bridge-0,addr=0x5'])
    expect(r({ ...serial, disableModern: true }, g)).toEqual(['-device', 'virtio-serial-pci,disable-modern=true,id=serial0,romfile='])
  })
  it('console: virtconsole + socket chardev', () => {
    expect(r(console0, g)).toEqual(['-device', 'virtconsole,chardev=charconsole0,id=console0', '-chardev', 'socket,id=charconsole0,path=/run/c.sock,server,nowait'])
    expect(r(console0, q)).toEqual(['-device', 'virtconsole,chardev=charconsole0,id=console0', '-chardev', 'socket,id=charconsole0,path=/run/c.sock,server=on,wait=off'])
  })
  it('serial port with a name; commas in the path are doubled', () => {
    expect(r(port, g)).toEqual(['-device', 'virtserialport,chardev=charch0,id=channel0,name=agent.channel.0', '-chardev', 'socket,id=charch0,path=/run/k,,a.sock,server,nowait'])
  })
})

describe('virtio-blk and SCSI (§7.5, §7.6)', () => {
  it('govmm: the alias, drive=, scsi/config-wce off, romfile=, then -drive', () => {
    expect(r(block, g)).toEqual([
      '-device', 'virtio-blk,disable-modern=false,drive=drive-0,scsi=off,config-wce=off,romfile=',
      '-drive', 'id=drive-0,file=/img,,1.raw,aio=threads,format=raw,if=none',
    ])
    expect(r({ ...block, shareRW: true }, g)[1]).toBe('virtio-blk,disable-modern=false,drive=drive-0,scsi=off,config-wce=off,romfile=,share-rw=on')
  })
  it('qemu: virtio-blk-pci with id, share-rw and placement', () => {
    expect(r({ ...block, shareRW: true }, q)[1]).toBe('virtio-blk-pci,drive=drive-0,scsi=off,config-wce=off,id=drive-0,share-rw=on,bus=pci-bridge-0,addr=0x5')
  })
  it('a file path recovers exactly from the -drive option string', () => {
    const drive = r({ ...block, file: '/a,,b=c,d' }, q)[3] as string
    expect(parseOpts(drive).find(([k]) => k === 'file')?.[1]).toBe('/a,,b=c,d')
  })
  it('SCSI controller with its IO thread', () => {
    expect(r(scsi, g)).toEqual(['-device', 'virtio-scsi-pci,id=scsi0,disable-modern=true,iothread=iothread-0123456789abcdef,romfile='])
    expect(r({ ...scsi, ioThread: undefined, disableModern: false }, q)).toEqual(['-device', 'virtio-scsi-pci,id=scsi0,bus=pci-bridge-0,addr=0x5'])
  })
})

describe('virtio-9p (§7.8)', () => {
  it('device + fsdev', () => {
    expect(r(fs, g)).toEqual([
      '-device', 'virtio-9p-pci,disable-modern=false,fsdev=extra-9p-kataShared,mount_tag=kataShared,romfile=',
      '-fsdev', 'local,id=extra-9p-kataShared,path=/shared,security_model=none',
    ])
    expect(r(fs, q)[1]).toBe('virtio-9p-pci,fsdev=extra-9p-kataShared,mount_tag=kataShared,id=extra-9p-kataShared,bus=pci-bridge-0,addr=0x5')
  })
})

describe('vhost-vsock (§7.9)', () => {
  it('vhostfd takes the next child fd; the host fd is passed', () => {
    expect(renderDevice(vsock, { ...g, fdBase: 7 })).toEqual({
      args: ['-device', 'vhost-vsock-pci,disable-modern=false,vhostfd=7,id=vsock-3,guest-cid=3,romfile='],
      fds: [10],
    })
    expect(renderDevice({ ...vsock, vhostFd: undefined }, q)).toEqual({ args: ['-device', 'vhost-vsock-pci,id=vsock-3,guest-cid=3,bus=pci-bridge-0,addr=0x5'], fds: [] })
  })
  it('problem: CID outside 3..2^32-1', () => {
    expect(problem({ ...vsock, contextId: 2 })).toEqual({ field: 'contextId', reason: 'guest CID 2 is outside 3..4294967295' })
    expect(problem({ ...vsock, contextId: 2 ** 32 })).toMatchObject({ field: 'contextId' })
    expect(problem({ ...vsock, contextId: 2 ** 32 - 1 })).toBeUndefined()
    expect(problem(vsock)).toBeUndefined()
  })
})

describe('virtio-net on tap (§7.10)', () => {
  it('govmm: vhost fds before tap fds, driver=, mq and vectors', () => {
    expect(renderDevice({ ...net, fds: [12, 13], vhostFds: [11, 14] }, g)).toEqual({
      args: [
        '-netdev', 'tap,id=network-0,vhost=on,vhostfds=3:4,fds=5:6',
        '-device', 'driver=virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,disable-modern=false,mq=on,vectors=6,romfile=',
      ],
      fds: [11, 14, 12, 13],
    })
  })
  it('without fds: ifname, downscript=no, script=no and no mq', () => {
    expect(r({ ...net, fds: [], vhostFds: [] }, g)).toEqual([
      '-netdev', 'tap,id=network-0,vhost=on,ifname=tap0_kata,downscript=no,script=no',
      '-device', 'driver=virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,disable-modern=false,romfile=',
    ])
  })
  it('vhost off: no vhost=on and the vhost fds are not passed', () => {
    expect(renderDevice({ ...net, vhost: false }, g)).toMatchObject({ args: ['-netdev', 'tap,id=network-0,fds=3', '-device', expect.any(String)], fds: [12] })
  })
  it('qemu: the device gets an id and a placement', () => {
    expect(r(net, q)[3]).toBe('virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,id=network-0,mq=on,vectors=4,bus=pci-bridge-0,addr=0x5')
  })
  it('macvtap renders as a tap netdev with its fds; without fds it is a problem', () => {
    expect(r({ ...net, type: 'macvtap' }, g)[1]).toBe('tap,id=network-0,vhost=on,vhostfds=3,fds=4')
    expect(problem({ ...net, type: 'macvtap', fds: [] })).toMatchObject({ field: 'fds' })
    expect(problem({ ...net, fds: [] })).toBeUndefined()
  })
})

describe('vhost-user (§7.11)', () => {
  it('net', () => {
    expect(r(vhost('net'), g)).toEqual([
      '-chardev', 'socket,id=char-abc,path=/vu.sock',
      '-netdev', 'type=vhost-user,id=net-abc,chardev=char-abc,vhostforce',
      '-device', 'virtio-net-pci,netdev=net-abc,mac=02:00:00:00:00:01,romfile=',
    ])
    expect(r(vhost('net'), q)).toEqual([
      '-chardev', 'socket,id=char-abc,path=/vu.sock',
      '-netdev', 'vhost-user,id=net-abc,chardev=char-abc,vhostforce=on',
      '-device', 'virtio-net-pci,netdev=net-abc,mac=02:00:00:00:00:01,id=net-abc,bus=pci-bridge-0,addr=0x5',
    ])
  })
  it('scsi', () => {
    expect(r(vhost('scsi'), g)).toEqual(['-chardev', 'socket,id=char-abc,path=/vu.sock', '-device', 'vhost-user-scsi-pci,id=scsi-abc,chardev=char-abc,romfile='])
  })
  it('blk: govmm hard-codes logical_block_size and size and gives no id (reference §10.3)', () => {
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

describe('vfio (§7.12)', () => {
  it('host, vendor and device ids, romfile=', () => {
    expect(r(vfio, g)).toEqual(['-device', 'vfio-pci,host=02:10.0,x-pci-vendor-id=0x1234,x-pci-device-id=0x5678,romfile='])
    expect(r({ ...vfio, vendorId: undefined, deviceId: undefined }, g)).toEqual(['-device', 'vfio-pci,host=02:10.0,romfile='])
    expect(r(vfio, q)).toEqual(['-device', 'vfio-pci,host=02:10.0,x-pci-vendor-id=0x1234,x-pci-device-id=0x5678,id=vfio-0,bus=pci-bridge-0,addr=0x5'])
  })
})

describe('nvdimm (§7.13) and rng (§7.14)', () => {
  it('nvdimm: device before its backend, the same in both dialects', () => {
    const want = ['-device', 'nvdimm,id=nv0,memdev=mem0', '-object', 'memory-backend-file,id=mem0,mem-path=/img,size=134217728']
    expect(r(nvdimm, g)).toEqual(want)
    expect(r(nvdimm, q)).toEqual(want)
    expect(problem({ ...nvdimm, size: 0 })).toEqual({ field: 'image', reason: 'image /img has size 0' })
    expect(problem(nvdimm)).toBeUndefined()
  })
  it('rng: backend object, then the device', () => {
    expect(r(rng, g)).toEqual(['-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng,rng=rng0,romfile='])
    expect(r(rng, q)).toEqual(['-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0,id=rng0,bus=pci-bridge-0,addr=0x5'])
  })
})

describe('deviceId / placementOf / problem', () => {
  it('the QOM id of each device', () => {
    expect([bridge, serial, console0, block, scsi, fs, vsock, net, vfio, nvdimm, rng].map(deviceId)).toEqual([
      'pci-bridge-0', 'serial0', 'console0', 'drive-0', 'scsi0', 'extra-9p-kataShared', 'vsock-3', 'network-0', 'vfio-0', 'nv0', 'rng0',
    ])
    expect([vhost('net'), vhost('blk'), vhost('fs')].map(deviceId)).toEqual(['net-abc', 'blk-abc', 'fs-abc'])
  })
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
