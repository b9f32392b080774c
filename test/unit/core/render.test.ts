/** Plan → argv in both dialects: order (govmm LaunchQemu), globals, memory, knobs, smp, drops vs errors, fds. */
import { describe, expect, it } from 'vitest'
import { firstChildFd, ioThreadsOf, render } from '../../../src/core/render.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { argvFor, initrd, planFor, unsafeLeft, unsafeRight, values } from '../../support/amd64-fixtures.ts'

const plan = (c: Record<string, unknown> = {}, s: Record<string, unknown> = {}, size?: number): Plan => unsafeRight(planFor(c, s, size))
const args = (p: Plan, dialect: 'govmm' | 'qemu') => unsafeRight(render(p, dialect)).args
const flags = (a: ReadonlyArray<string>) => a.filter((x) => x.startsWith('-'))
const vsock = (contextId: number) => ({ kind: 'vsock', contextId, vhostFd: 10 })
const net = (over: Record<string, unknown> = {}) => ({
  kind: 'network',
  endpoint: 'veth',
  tapName: 'tap0_kata',
  mac: '02:42:ac:11:00:02',
  fds: [12],
  vhostFds: [11],
  ...over,
})

describe('render: argument order (govmm LaunchQemu)', () => {
  it('govmm: name, uuid, machine, cpu, qmp, m, devices, global, vga, knobs, kernel, bios, iothreads, incoming, pidfile, D, smp', () => {
    const p = plan(
      { enable_iothreads: true, enable_debug: true, firmware: '/fw', enable_swap: true },
      { daemonize: true, ...{ template: { bootToBeTemplate: false, bootFromTemplate: true, memoryPath: '/m', devicesStatePath: '/s' } } },
    )
    const a = args(p, 'govmm')
    expect(flags(a).filter((f, i, all) => all.indexOf(f) === i)).toEqual([
      '-name',
      '-uuid',
      '-machine',
      '-cpu',
      '-qmp',
      '-m',
      '-device',
      '-chardev',
      '-object',
      '-global',
      '-vga',
      '-no-user-config',
      '-nodefaults',
      '-nographic',
      '-daemonize',
      '-numa',
      '-realtime',
      '-kernel',
      '-append',
      '-bios',
      '-S',
      '-incoming',
      '-pidfile',
      '-D',
      '-smp',
    ])
    expect(a.slice(-2)).toEqual(['-smp', '1,cores=1,threads=1,sockets=240,maxcpus=240'])
    // the iothread object comes after -bios and before -S -incoming
    const io = a.indexOf(`iothread,id=${ioThreadsOf(p.devices)[0]}`)
    expect(io).toBeGreaterThan(a.indexOf('-bios'))
    expect(io).toBeLessThan(a.indexOf('-incoming'))
  })
  it('qemu: -rtc between the devices and -global; -overcommit instead of -realtime', () => {
    const a = args(plan({ enable_swap: true }), 'qemu')
    expect(values(a, '-rtc')).toEqual(['base=utc,driftfix=slew'])
    expect(a.indexOf('-rtc')).toBeLessThan(a.indexOf('-global'))
    expect(a.lastIndexOf('-device')).toBeLessThan(a.indexOf('-rtc'))
    expect(values(a, '-overcommit')).toEqual(['mem-lock=off'])
    expect(a).not.toContain('-realtime')
  })
})

describe('render: globals per dialect', () => {
  it('govmm never emits -rtc (its RTC had no clock, so govmm dropped it)', () => expect(args(plan(), 'govmm')).not.toContain('-rtc'))
  it('kvm-pit on amd64 in both dialects; in qemu only where the arch has a PIT', () => {
    expect(values(args(plan(), 'govmm'), '-global')).toEqual(['kvm-pit.lost_tick_policy=discard'])
    expect(values(args(plan(), 'qemu'), '-global')).toEqual(['kvm-pit.lost_tick_policy=discard'])
    const noPit = { ...plan(), facts: { ...plan().facts, kvmPit: false } }
    expect(args(noPit, 'qemu')).not.toContain('-global')
    expect(args(noPit, 'govmm')).toContain('-global')
  })
  it('-vga none, -pidfile, -qmp with server,nowait vs server=on,wait=off', () => {
    const g = args(plan(), 'govmm')
    const q = args(plan(), 'qemu')
    expect(values(g, '-vga')).toEqual(['none'])
    expect(values(g, '-pidfile')).toEqual(['/run/vc/vm/sb1/pid'])
    expect(values(g, '-qmp')).toEqual(['unix:/run/vc/vm/sb1/qmp.sock,server,nowait'])
    expect(values(q, '-qmp')).toEqual(['unix:/run/vc/vm/sb1/qmp.sock,server=on,wait=off'])
  })
  it('escapes a comma in the QMP path', () => {
    expect(values(args(plan({}, { runDir: '/run/a,b' }), 'govmm'), '-qmp')).toEqual(['unix:/run/a,,b/sb1/qmp.sock,server,nowait'])
  })
})

describe('render: -machine and -cpu', () => {
  it('govmm keeps bare flags, qemu makes them =on', () => {
    expect(values(args(plan({ machine_type: 'q35' }), 'govmm'), '-machine')).toEqual(['q35,accel=kvm,kernel_irqchip,nvdimm'])
    expect(values(args(plan({ machine_type: 'q35' }), 'qemu'), '-machine')).toEqual(['q35,accel=kvm,kernel_irqchip=on,nvdimm=on'])
  })
  it('machine_accelerators come last', () => {
    expect(values(args(plan({ machine_accelerators: 'nosmm,x=1' }), 'govmm'), '-machine')).toEqual([
      'pc,accel=kvm,kernel_irqchip,nvdimm,nosmm,x=1',
    ])
    expect(values(args(plan({ machine_accelerators: ',x=1' }), 'qemu'), '-machine')).toEqual([
      'pc,accel=kvm,kernel_irqchip=on,nvdimm=on,x=1',
    ])
  })
  it('TCG in the qemu dialect: accel=tcg, no kernel_irqchip, -cpu max; govmm unchanged', () => {
    const p = plan({}, { host: { memoryMiB: 4096, nested: false, accelerator: 'tcg' } })
    expect(values(args(p, 'qemu'), '-machine')).toEqual(['pc,accel=tcg,nvdimm=on'])
    expect(values(args(p, 'qemu'), '-cpu')).toEqual(['max'])
    expect(values(args(p, 'govmm'), '-machine')).toEqual(['pc,accel=kvm,kernel_irqchip,nvdimm'])
    expect(values(args(p, 'govmm'), '-cpu')).toEqual(['host'])
  })
  it('TCG on a machine without accel= (a parsed or hand-written plan): accel=tcg is added once, in the qemu dialect only', () => {
    const p = plan({}, { host: { memoryMiB: 4096, nested: false, accelerator: 'tcg' } })
    const bare: Plan = { ...p, machine: { ...p.machine, options: p.machine.options.filter(([k]) => k !== 'accel') } }
    expect(values(args(bare, 'qemu'), '-machine')).toEqual(['pc,nvdimm=on,accel=tcg'])
    expect(values(args(bare, 'govmm'), '-machine')).toEqual(['pc,kernel_irqchip,nvdimm'])
  })
  it('nested: host,pmu=off in both dialects', () => {
    const p = plan({}, { host: { memoryMiB: 4096, nested: true } })
    expect(values(args(p, 'govmm'), '-cpu')).toEqual(['host,pmu=off'])
    expect(values(args(p, 'qemu'), '-cpu')).toEqual(['host,pmu=off'])
  })
})

describe('render: memory', () => {
  it('-m with slots and maxmem', () => expect(values(args(plan(), 'govmm'), '-m')).toEqual(['2048M,slots=10,maxmem=33024M']))
  it('RAM backend by default', () => {
    const a = args(plan(), 'govmm')
    expect(values(a, '-object')).toContain('memory-backend-ram,id=dimm1,size=2048M')
    expect(values(a, '-numa')).toEqual(['node,memdev=dimm1'])
  })
  it('hugepages: a file backend on /dev/hugepages, prealloc if asked, no share (govmm Config.appendMemoryKnobs)', () => {
    expect(values(args(plan({ enable_hugepages: true, enable_mem_prealloc: true }), 'govmm'), '-object')).toContain(
      'memory-backend-file,id=dimm1,size=2048M,mem-path=/dev/hugepages,prealloc=on',
    )
  })
  it('file-backed shared memory for virtio-fs / file_mem_backend, escaping the path', () => {
    expect(values(args(plan({ shared_fs: 'virtio-fs' }), 'govmm'), '-object')).toContain(
      'memory-backend-file,id=dimm1,size=2048M,mem-path=/dev/shm,share=on',
    )
    expect(values(args(plan({ file_mem_backend: '/mnt/a,b' }), 'qemu'), '-object')).toContain(
      'memory-backend-file,id=dimm1,size=2048M,mem-path=/mnt/a,,b,share=on',
    )
  })
  it('no memory backend where DIMMs are not supported', () => {
    const a = args({ ...plan(), dimmSupported: false }, 'govmm')
    expect(a).not.toContain('-numa')
    expect(values(a, '-object').some((o) => o.includes('dimm1'))).toBe(false)
  })
})

describe('render: realtime / overcommit', () => {
  const knobs = (k: Partial<Plan['knobs']>) => ({ ...plan(), knobs: { ...plan().knobs, ...k } })
  it('mlock (swap off, the default): nothing in either dialect', () => {
    expect(args(plan(), 'govmm')).not.toContain('-realtime')
    expect(args(plan(), 'qemu')).not.toContain('-overcommit')
  })
  it('enable_swap: -realtime mlock=off (govmm) / -overcommit mem-lock=off (qemu)', () => {
    expect(values(args(plan({ enable_swap: true }), 'govmm'), '-realtime')).toEqual(['mlock=off'])
    expect(values(args(plan({ enable_swap: true }), 'qemu'), '-overcommit')).toEqual(['mem-lock=off'])
  })
  it('realtime with mlock: mlock=on / mem-lock=on', () => {
    expect(values(args(knobs({ realtime: true }), 'govmm'), '-realtime')).toEqual(['mlock=on'])
    expect(values(args(knobs({ realtime: true }), 'qemu'), '-overcommit')).toEqual(['mem-lock=on'])
  })
  it('-S when stopped; twice with an incoming migration (govmm appendKnobs, then appendIncoming)', () => {
    const a = args({ ...knobs({ stopped: true }), incoming: 'defer' }, 'govmm')
    expect(a.filter((x) => x === '-S')).toHaveLength(2)
    expect(values(a, '-incoming')).toEqual(['defer'])
  })
})

describe('render: kernel', () => {
  it('-kernel, -initrd, -append', () => {
    const a = args(plan({ image: undefined, initrd }), 'govmm')
    expect(values(a, '-kernel')).toEqual(['/usr/share/kata-containers/vmlinuz.container'])
    expect(values(a, '-initrd')).toEqual([initrd])
    expect(values(a, '-append')[0]).toMatch(/^tsc=reliable .* agent\.use_vsock=false$/)
  })
  it('no -append for an empty command line', () => {
    const p = plan()
    expect(args({ ...p, kernel: { ...p.kernel, params: [] } }, 'govmm')).not.toContain('-append')
  })
})

describe('render: smp', () => {
  it('omits zero counts', () => {
    const p = plan()
    expect(values(args({ ...p, smp: { cpus: 2, cores: 0, threads: 0, sockets: 0, maxCpus: 0 } }, 'govmm'), '-smp')).toEqual(['2'])
    expect(args({ ...p, smp: { cpus: 0, cores: 1, threads: 1, sockets: 1, maxCpus: 1 } }, 'govmm')).not.toContain('-smp')
  })
  it('InvalidConfig when maxcpus < cpus (govmm refuses to launch)', () => {
    const p = plan()
    expect(unsafeLeft(render({ ...p, smp: { ...p.smp, cpus: 4, maxCpus: 2 } }, 'govmm'))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.default_maxvcpus',
      reason: 'MaxCPUs 2 must be equal to or greater than CPUs 4',
    })
  })
})

describe('render: binary and unsupported machines', () => {
  it('govmm uses the Kata binary, qemu the QEMU 7.2 one', () => {
    expect(unsafeRight(render(plan({ machine_type: 'pc-lite' }), 'govmm')).binary).toBe('/usr/bin/qemu-lite-system-x86_64')
    expect(unsafeRight(render(plan(), 'qemu')).binary).toBe('/usr/bin/qemu-system-x86_64')
  })
  it('the qemu dialect refuses pc-lite and amd64 virt', () => {
    expect(unsafeLeft(render(plan({ machine_type: 'pc-lite' }), 'qemu'))).toMatchObject({ _tag: 'Unsupported', arch: 'amd64' })
    expect(unsafeLeft(render(plan({ machine_type: 'virt', path: '/opt/q' }), 'qemu'))._tag).toBe('Unsupported')
  })
  it('dialect defaults to qemu', () => expect(render(plan())).toEqual(render(plan(), 'qemu')))
})

describe('render: devices govmm would drop (Config.appendDevices skips !Valid(), NetDevice.QemuParams)', () => {
  it('vsock CID < 3: dropped with a warning in govmm, InvalidDevice in qemu', () => {
    const p = plan({}, { devices: [vsock(2)] })
    const g = unsafeRight(render(p, 'govmm'))
    expect(g.args.some((a) => a.includes('vhost-vsock'))).toBe(false)
    expect(g.fds).toEqual([])
    expect(g.warnings).toEqual(['dropped device vsock-2 as govmm does: contextId: guest CID 2 is outside 3..4294967295'])
    expect(unsafeLeft(render(p, 'qemu'))).toEqual({
      _tag: 'InvalidDevice',
      device: 'vsock-2',
      field: 'contextId',
      reason: 'guest CID 2 is outside 3..4294967295',
    })
  })
  it('macvtap without fds', () => {
    const p = plan({}, { devices: [net({ model: 'macvtap', fds: [], vhostFds: [] })] })
    const g = unsafeRight(render(p, 'govmm'))
    expect(g.args).not.toContain('-netdev')
    expect(g.warnings[0]).toMatch(/^dropped device network-0 as govmm does: fds: /)
    expect(unsafeLeft(render(p, 'qemu'))).toMatchObject({ _tag: 'InvalidDevice', device: 'network-0', field: 'fds' })
  })
  it('a zero-size image', () => {
    const p = plan({}, {}, 0)
    const g = unsafeRight(render(p, 'govmm'))
    expect(g.args.some((a) => a.startsWith('nvdimm'))).toBe(false)
    expect(g.warnings[0]).toMatch(/^dropped device nv0 as govmm does: image: /)
    expect(unsafeLeft(render(p, 'qemu'))).toMatchObject({ _tag: 'InvalidDevice', device: 'nv0', field: 'image' })
  })
  it('vhost-user net without a MAC and fs without a tag', () => {
    const p = plan(
      {},
      {
        devices: [
          { kind: 'vhostUser', type: 'net', devId: 'a', socketPath: '/s' },
          { kind: 'vhostUser', type: 'fs', devId: 'b', socketPath: '/t' },
        ],
      },
    )
    const g = unsafeRight(render(p, 'govmm'))
    expect(g.warnings).toHaveLength(2)
    expect(g.args.some((a) => a.includes('char-a') || a.includes('char-b'))).toBe(false)
    expect(unsafeLeft(render(p, 'qemu'))).toMatchObject({ _tag: 'InvalidDevice', device: 'net-a', field: 'mac' })
  })
  it('plan warnings come first', () => {
    const p = plan({ disable_vhost_net: true }, { devices: [vsock(1), net()] })
    expect(unsafeRight(render(p, 'govmm')).warnings.map((w) => w.split(':')[0])).toEqual([
      'network-0',
      'dropped device vsock-1 as govmm does',
    ])
  })
})

describe('render: fds (govmm Config.appendFDs)', () => {
  it('vsock fd, then vhost fds, then tap fds, numbered from 3', () => {
    const r = unsafeRight(argvFor('govmm', {}, { devices: [vsock(3), net({ fds: [20, 21], vhostFds: [30, 31] })] }))
    expect(firstChildFd).toBe(3)
    expect(r.fds).toEqual([10, 30, 31, 20, 21])
    expect(values(r.args, '-netdev')).toEqual(['tap,id=network-0,vhost=on,vhostfds=4:5,fds=6:7'])
    expect(r.args.find((a) => a.startsWith('vhost-vsock-pci'))).toContain('vhostfd=3')
  })
  it('a dropped device takes no fd number', () => {
    const r = unsafeRight(argvFor('govmm', {}, { devices: [vsock(2), net()] }))
    expect(r.fds).toEqual([11, 12])
    expect(values(r.args, '-netdev')).toEqual(['tap,id=network-0,vhost=on,vhostfds=3,fds=4'])
  })
  it('no vhost fds when vhost-net is disabled', () => {
    const r = unsafeRight(argvFor('govmm', { disable_vhost_net: true }, { devices: [net()] }))
    expect(r.fds).toEqual([12])
    expect(values(r.args, '-netdev')).toEqual(['tap,id=network-0,fds=3'])
  })
})

describe('render: determinism', () => {
  it('renders a deeply frozen plan twice to the same argv without touching it', () => {
    const freeze = <A>(x: A): A => {
      if (typeof x === 'object' && x !== null) {
        for (const v of Object.values(x)) freeze(v)
        Object.freeze(x)
      }
      return x
    }
    const p = freeze(plan({ enable_iothreads: true }, { devices: [vsock(3), net()] }))
    const before = JSON.stringify(p)
    expect(render(p, 'govmm')).toEqual(render(p, 'govmm'))
    expect(render(p, 'qemu')).toEqual(render(p, 'qemu'))
    expect(JSON.stringify(p)).toBe(before)
  })
})
