/**
 * `-device …` (with the backends it names) → the device model. Driver names are read in both
 * dialects (govmm's `virtio-blk`/`virtio-rng` aliases and `driver=` form, QEMU 7.2's `-pci`/`-ccw`
 * names), placement from `bus=`/`addr=` (hex, `0x` optional) or `devno=`, and every property the
 * renderer would not print back is refused with a `ParseError` naming the argv token.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { deviceId, type Device, type Placement, type Transport } from '../devices/model.ts'
import { parseError, type PlanError } from '../errors.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import type { Backend, Located, Ns } from './backends.ts'
import { parseSize } from './backends.ts'
import { parseProps, type Option } from './options.ts'
import { parseUInt, reader, type Reader } from './reader.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

interface Ctx {
  readonly transport: Transport
  /** The backend `ns:id` if it is one of `tags` (marks it used), else a recorded problem. */
  readonly use: <T extends Backend['_tag']>(r: Reader, id: string, ns: Ns, tags: ReadonlyArray<T>) => Extract<Backend, { _tag: T }> | undefined
  readonly count: (tag: Device['_tag']) => number
}

/** A device with the argv positions of its options (frontend and backends). @since 0.1.0 @category model */
export interface Placed {
  readonly device: Device
  readonly positions: ReadonlyArray<number>
  /** The command line gave the device no id (govmm's VFIO and vhost-user blk/fs); its id was derived. */
  readonly derivedId: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const placement = (r: Reader, key: string): Placement => {
  const devno = r.str('devno')
  const bus = r.str('bus')
  const addr = r.str('addr')
  if (devno !== undefined && devno !== '') {
    if (!/^[0-9a-f]{1,2}\.[0-3]\.[0-9a-f]{4}$/.test(devno)) r.fail(`devno=${devno} is not a CCW device number (fe.0.0001)`)
    if (bus !== undefined || addr !== undefined) r.fail('devno= with bus= or addr= is not in the device model')
    return { _tag: 'Ccw', devno, key }
  }
  if (bus === undefined && addr === undefined) return { _tag: 'None' }
  if (bus === undefined || addr === undefined) r.fail('bus= and addr= go together in the device model')
  const slot = parseUInt(addr ?? '0', 16)
  if (slot === undefined || slot > 31) r.fail(`addr=${addr} is not a PCI slot (0x0..0x1f, no function)`)
  return { _tag: 'Pci', bus: bus ?? '', slot: slot ?? 0 }
}

/** `disable-modern=` and the empty `romfile=` every virtio PCI device may carry. */
const virtio = (r: Reader): boolean => {
  r.fixed('romfile', [''])
  return r.bool('disable-modern') ?? false
}

const off = (r: Reader, key: string): void => {
  if (r.bool(key) !== false) r.fail(`property ${key}: the device model always has ${key}=off`)
}

const sameId = (r: Reader, id: string): void => {
  const own = r.str('id')
  if (own !== undefined && own !== id) r.fail(`id=${own}: the device model names this device after its backend (${id})`)
}

/** The `<dev>` of `char-<dev>`, the way Kata made vhost-user ids (reference §3.5). */
const derived = (prefix: string, charDevId: string): string =>
  truncateBytes(`${prefix}-${charDevId.startsWith('char-') ? charDevId.slice(5) : charDevId}`, maxDevIdSize)

// -------------------------------------------------------------------------------------
// devices
// -------------------------------------------------------------------------------------

const bridge = (r: Reader, drv: string): Device => {
  const type = drv === 'pci-bridge' ? 'pci' : 'pcie'
  const bus = r.req('bus')
  const id = r.req('id')
  const chassis = type === 'pci' ? r.int('chassis_nr') : 0
  const shpc = type === 'pci' ? r.bool('shpc') : false
  if (chassis === undefined || shpc === undefined) r.fail('a pci-bridge in the device model has chassis_nr= and shpc=')
  const addr = parseUInt(r.req('addr'), 16)
  if (addr === undefined || addr > 31) r.fail('addr= is not a PCI slot')
  r.fixed('romfile', [''])
  return { _tag: 'Bridge', type, bus, id, chassis: chassis ?? 0, shpc: shpc ?? false, addr: addr ?? 0 }
}

const net = (r: Reader, c: Ctx, drv: string): Device | undefined => {
  const netdevId = r.req('netdev')
  const mac = r.req('mac')
  sameId(r, netdevId)
  const b = c.use(r, netdevId, 'netdev', ['Tap', 'VhostUserNet'])
  if (b === undefined) return undefined
  if (b._tag === 'VhostUserNet') {
    if (drv !== 'virtio-net-pci') r.fail('a vhost-user net device in the device model is virtio-net-pci')
    r.fixed('romfile', [''])
    const ch = c.use(r, b.chardev, 'chardev', ['Chardev'])
    if (ch?.server) r.fail(`chardev ${ch.id}: a vhost-user chardev in the device model is a client`)
    return {
      _tag: 'VhostUser', type: 'net', socketPath: ch?.path ?? '', charDevId: ch?.id ?? '', typeDevId: netdevId, blkId: derived('blk', ch?.id ?? ''),
      mac, tag: undefined, cacheSizeMiB: 0, placement: placement(r, netdevId),
    }
  }
  if (!drv.endsWith(`-${c.transport}`)) r.fail(`driver ${drv} does not match the machine's ${c.transport} transport`)
  const disableModern = virtio(r)
  const mq = r.bool('mq')
  const vectors = r.int('vectors')
  const n = b.fds.length
  if (n > 0 ? mq !== true : mq !== undefined) r.fail('mq=on goes with tap fds= in the device model, and only then')
  if (c.transport === 'pci' && n > 0 ? vectors !== 2 * n + 2 : vectors !== undefined)
    r.fail(`vectors= in the device model is 2 × queues + 2 on PCI with fds (here ${n > 0 && c.transport === 'pci' ? 2 * n + 2 : 'none'})`)
  return {
    _tag: 'Net', type: 'tap', id: netdevId, ifName: b.ifName, mac, fds: b.fds, vhostFds: b.vhostFds, vhost: b.vhost, disableModern,
    placement: placement(r, netdevId),
  }
}

const vhostUser = (r: Reader, c: Ctx, drv: string): Device | undefined => {
  const ch = c.use(r, r.req('chardev'), 'chardev', ['Chardev'])
  if (ch === undefined) return undefined
  if (ch.server) r.fail(`chardev ${ch.id}: a vhost-user chardev in the device model is a client`)
  const base = { _tag: 'VhostUser', socketPath: ch.path, charDevId: ch.id, mac: undefined, tag: undefined, cacheSizeMiB: 0 } as const
  if (drv === 'vhost-user-scsi-pci') {
    const id = r.req('id')
    r.fixed('romfile', [''])
    return { ...base, type: 'scsi', typeDevId: id, blkId: derived('blk', ch.id), placement: placement(r, id) }
  }
  if (drv === 'vhost-user-blk-pci') {
    const id = r.str('id') ?? derived('blk', ch.id)
    r.fixed('logical_block_size', ['4096'])
    r.fixed('size', ['512M'])
    r.fixed('romfile', [''])
    return { ...base, type: 'blk', typeDevId: '', blkId: id, placement: placement(r, id) }
  }
  const tag = r.req('tag')
  const cache = r.str('cache-size')
  const cacheBytes = cache === undefined ? 0 : parseSize(cache, 1)
  if (cacheBytes === undefined || cacheBytes % 2 ** 20 !== 0) r.fail(`cache-size=${cache} is not a whole number of MiB`)
  const id = r.str('id') ?? derived('fs', ch.id)
  return { ...base, type: 'fs', typeDevId: id, blkId: derived('blk', ch.id), tag, cacheSizeMiB: (cacheBytes ?? 0) / 2 ** 20, placement: placement(r, id) }
}

const storage = (r: Reader, c: Ctx, family: string): Device | undefined => {
  if (family === 'virtio-blk') {
    const b = c.use(r, r.req('drive'), 'drive', ['Drive'])
    off(r, 'scsi')
    off(r, 'config-wce')
    if (b === undefined) return undefined
    sameId(r, b.id)
    const shareRW = r.bool('share-rw') ?? false
    return { _tag: 'Block', id: b.id, file: b.file, format: b.format, aio: b.aio, shareRW, disableModern: virtio(r), placement: placement(r, b.id) }
  }
  if (family === 'virtio-scsi') {
    const id = r.req('id')
    return { _tag: 'Scsi', id, ioThread: r.str('iothread'), disableModern: virtio(r), placement: placement(r, id) }
  }
  const b = c.use(r, r.req('fsdev'), 'fsdev', ['Fsdev'])
  const mountTag = r.req('mount_tag')
  if (b === undefined) return undefined
  sameId(r, b.id)
  return { _tag: 'Fs9p', id: b.id, path: b.path, mountTag, disableModern: virtio(r), placement: placement(r, b.id) }
}

const other = (r: Reader, c: Ctx, family: string): Device | undefined => {
  switch (family) {
    case 'virtio-serial': {
      const id = r.req('id')
      return { _tag: 'Serial', id, disableModern: virtio(r), placement: placement(r, id) }
    }
    case 'vhost-vsock': {
      const id = r.req('id')
      const contextId = r.int('guest-cid')
      if (contextId === undefined) r.fail('property guest-cid is missing')
      return { _tag: 'Vsock', id, contextId: contextId ?? 0, vhostFd: r.int('vhostfd'), disableModern: virtio(r), placement: placement(r, id) }
    }
    case 'vfio': {
      const bdf = r.req('host')
      const id = r.str('id') ?? `vfio-${c.count('Vfio')}`
      r.fixed('romfile', [''])
      return { _tag: 'Vfio', id, bdf, vendorId: r.str('x-pci-vendor-id'), deviceId: r.str('x-pci-device-id'), placement: placement(r, id) }
    }
    default: {
      const b = c.use(r, r.req('rng'), 'object', ['RngRandom'])
      if (b === undefined) return undefined
      sameId(r, b.id)
      r.fixed('romfile', [''])
      return { _tag: 'Rng', id: b.id, filename: b.filename, placement: placement(r, b.id) }
    }
  }
}

const families = ['virtio-blk', 'virtio-scsi', 'virtio-9p', 'virtio-serial', 'vhost-vsock', 'vfio', 'virtio-rng', 'virtio-net']

/** One `-device`. @since 0.1.0 @category utils */
const device = (r: Reader, c: Ctx): Device | undefined => {
  const drv = r.head ?? ''
  if (drv === 'pci-bridge' || drv === 'pcie-pci-bridge') return bridge(r, drv)
  if (drv === 'vhost-user-scsi-pci' || drv === 'vhost-user-blk-pci' || drv === 'vhost-user-fs-pci') return vhostUser(r, c, drv)
  if (drv === 'virtconsole' || drv === 'virtserialport') {
    const b = c.use(r, r.req('chardev'), 'chardev', ['Chardev'])
    if (b !== undefined && !b.server) r.fail(`chardev ${b.id}: a virtio-serial port's chardev in the device model is a server`)
    return { _tag: 'Char', driver: drv, deviceId: r.req('id'), id: b?.id ?? '', path: b?.path ?? '', name: r.str('name') }
  }
  if (drv === 'nvdimm') {
    const deviceId = r.req('id')
    const b = c.use(r, r.req('memdev'), 'object', ['MemoryBackend'])
    if (b === undefined) return undefined
    if (b.file === undefined || b.share || b.prealloc) r.fail(`memdev ${b.id}: an NVDIMM backend in the device model is a plain memory-backend-file`)
    return { _tag: 'Nvdimm', deviceId, id: b.id, memPath: b.file ?? '', size: b.sizeBytes }
  }
  const family = families.find((f) => drv === `${f}-pci` || drv === `${f}-ccw` || ((f === 'virtio-blk' || f === 'virtio-rng') && drv === f))
  if (family === undefined) {
    r.fail(`driver ${drv || '(none)'} is not in the device model (parse does not understand it)`)
    return undefined
  }
  if (family === 'virtio-net') return net(r, c, drv)
  if (drv !== family && !drv.endsWith(`-${c.transport}`)) r.fail(`driver ${drv} does not match the machine's ${c.transport} transport`)
  return family === 'virtio-blk' || family === 'virtio-scsi' || family === 'virtio-9p' ? storage(r, c, family) : other(r, c, family)
}

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Every `-device` with its backends, in `-device` order: the order QEMU creates them in, and in a
 * rendered argv also the plan order (each device's options are contiguous there).
 * `used` gets the `ns:id` keys of the backends the devices took.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseDevices = (
  options: ReadonlyArray<Option>,
  backends: ReadonlyMap<string, Located>,
  transport: Transport,
  used: Set<string>,
): E.Either<PlanError, ReadonlyArray<Placed>> => {
  const out: Array<Placed> = []
  for (const opt of options) {
    if (opt.flag !== '-device') continue
    const r = reader(opt, parseProps(opt.value, 'driver'))
    const positions = [opt.position]
    const ctx: Ctx = {
      transport,
      count: (tag) => out.filter((p) => p.device._tag === tag).length,
      use: (rd, id, ns, tags) => {
        if (id === '') return undefined
        const k = `${ns}:${id}`
        const b = backends.get(k)
        if (b === undefined || !(tags as ReadonlyArray<string>).includes(b.backend._tag)) {
          rd.fail(`no ${ns} ${id} of the right kind (${tags.join(' or ')}) on the command line`)
          return undefined
        }
        if (used.has(k)) rd.fail(`${ns} ${id} is already used by another device`)
        used.add(k)
        positions.push(b.opt.position)
        return b.backend as Extract<Backend, { _tag: (typeof tags)[number] }>
      },
    }
    const derivedId = (r.head?.startsWith('vfio-') || r.head === 'vhost-user-blk-pci' || r.head === 'vhost-user-fs-pci') === true && !r.has('id')
    const d = device(r, ctx)
    if (d === undefined) r.fail('its backend is missing')
    const done = r.done(d)
    if (E.isLeft(done)) return done
    if (done.right === undefined) continue
    const id = deviceId(done.right)
    if (id !== '' && out.some((x) => deviceId(x.device) === id))
      return E.left(parseError({ position: opt.position + 1, token: opt.value, reason: `-device: id ${id} is already used by another device` }))
    out.push({ device: done.right, positions, derivedId })
  }
  return E.right(out)
}

/** An error for a backend no device uses. @since 0.1.0 @category errors */
export const unusedBackend = (l: Located): PlanError =>
  parseError({ position: l.opt.position + 1, token: l.opt.value, reason: `${l.opt.flag} ${l.backend.id} is not used by any device the device model knows` })
