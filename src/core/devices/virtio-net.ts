/**
 * `-device virtio-net-pci|ccw` on a `-netdev tap` (govmm `NetDevice`): a sandbox NIC. Kata's
 * network model decides tap or macvtap (`xConnectVMNetwork`, `networkModelToQemuType`); with
 * fds, each queue is one tap fd and the device gets `mq=on` and, on PCI, `vectors=2N+2`.
 * vhost-net fds come before the tap fds. govmm wrote this device's driver as `driver=…`.
 * Hot-plug is Kata's `hotAddNetDevice`: `getfd` per queue, `netdev_add`, `device_add`.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { FdSourceCodec, PlacementCodec } from './codecs.ts'
import * as E from 'fp-ts/lib/Either.js'
import { invalidDevice, type InvalidDevice } from '../errors.ts'
import { execute, sendFd, type FdSource } from '../qmp/action.ts'
import * as Tap from './backends/netdev-tap.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, pciOnly, resolve, romfile, toArguments } from './profile.ts'
import { devnoOf, filled, itemOf, itemsOf, modernOf, onWhen, pairOf, placeOf, qemuIdOf, template } from './template.ts'
import { props, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, readVirtio, sameId, sameTransport } from './read.ts'
import * as VhostUser from './vhost-user.ts'

/** The driver role, made once (an option list is built on every render). */
const netDriver = driver('virtio-net', { keyed: true })

/** @since 0.1.0 @category model */
export interface Nic {
  readonly _tag: 'Net'
  readonly type: 'tap' | 'macvtap'
  /** The device's id and its netdev's. */
  readonly id: string
  readonly ifName: string
  readonly mac: string
  /**
   * One per queue: the caller's open tap fds (cold-plug), or taps to open a queue of (hot-plug).
   * None: QEMU opens the tap by name.
   */
  readonly fds: ReadonlyArray<FdSource>
  /** vhost-net fds, passed only when `vhost` is on. */
  readonly vhostFds: ReadonlyArray<number>
  readonly vhost: boolean
  readonly disableModern: boolean
  readonly placement: Placement
}

/** The network input the planner is given (a sandbox `network` device). @since 0.3.0 @category model */
export interface NicInput {
  readonly endpoint: 'veth' | 'bridgedmacvlan' | 'ipvlan' | 'tuntap' | 'macvtap'
  readonly model?: 'default' | 'bridged' | 'macvtap' | 'enlightened' | 'tcfilter' | 'none' | undefined
  readonly tapName: string
  readonly mac: string
  readonly fds?: ReadonlyArray<number> | undefined
  readonly vhostFds?: ReadonlyArray<number> | undefined
}

/**
 * tap or macvtap, as Kata's `xConnectVMNetwork` and `networkModelToQemuType` decide. Kata
 * refused `none` only later, at `xConnectVMNetwork`; it is refused here.
 *
 * @since 0.3.0
 * @category constructors
 */
export const tapType = (n: NicInput): E.Either<InvalidDevice, Nic['type']> => {
  if (n.endpoint === 'tuntap' || n.endpoint === 'ipvlan') return E.right('tap')
  if (n.endpoint === 'macvtap') return E.right('macvtap')
  switch (n.model ?? 'default') {
    case 'enlightened':
      return E.left(invalidDevice({ device: n.tapName, field: 'model', reason: 'Unsupported networking model enlightened' }))
    case 'none':
      return E.left(invalidDevice({ device: n.tapName, field: 'model', reason: 'Invalid internetworking model none' }))
    case 'bridged':
    case 'macvtap':
      return E.right('macvtap')
    default:
      return E.right('tap')
  }
}

/** Kata's `network-<n>` for the n-th NIC. @since 0.3.0 @category constructors */
export const idOf = (n: number): string => `network-${n}`

/** @since 0.3.0 @category constructors */
export const make = (
  n: NicInput,
  type: Nic['type'],
  id: string,
  at: { readonly placement: Placement; readonly nested: boolean; readonly vhost: boolean },
): Nic => ({
  _tag: 'Net',
  type,
  id,
  ifName: n.tapName,
  mac: n.mac,
  fds: n.fds ?? [],
  vhostFds: n.vhostFds ?? [],
  vhost: at.vhost,
  disableModern: at.nested,
  placement: at.placement,
})

const passedVhost = (d: Nic): ReadonlyArray<number> => (d.vhost ? d.vhostFds : [])

/** The `-device` option list, compiled once per dialect and transport (`template`); multiqueue with passed fds. */
const device = template<Nic>('-device', [
  netDriver,
  pairOf('netdev', (d) => d.id),
  pairOf('mac', (d) => d.mac),
  qemuIdOf(),
  modernOf(),
  onWhen('mq', (d) => d.fds.length > 0),
  itemOf((d) => pciOnly('vectors', d.fds.length > 0 ? 2 * d.fds.length + 2 : undefined)),
  romfile,
  devnoOf(),
  placeOf(),
])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Nic> = t.type({
  _tag: t.literal('Net'),
  type: t.union([t.literal('tap'), t.literal('macvtap')]),
  id: Text,
  ifName: Text,
  mac: Text,
  fds: t.array(FdSourceCodec),
  vhostFds: t.array(UInt),
  vhost: t.boolean,
  disableModern: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Nic, Nic | VhostUser.VhostUser> = {
  codec,
  vocabulary: { drivers: ['virtio-net-pci', 'virtio-net-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [
    ['device', d.id],
    ['netdev', d.id],
  ],
  source: () => 'network',
  problem: (d) =>
    d.type === 'macvtap' && d.fds.length === 0 ? { field: 'fds', reason: 'a macvtap network device needs at least one fd' } : undefined,
  render: (d) => {
    const vhost = passedVhost(d)
    return {
      switches: [
        Tap.render({ id: d.id, ifName: d.ifName, vhost: d.vhost, queues: d.fds.length, vhostQueues: vhost.length }),
        filled(device, d),
      ],
      fds: [...vhost, ...d.fds],
    }
  },
  parse: {
    drivers: isFamily('virtio-net'),
    read: (r, c, drv) => {
      const netdevId = r.req('netdev')
      const mac = r.req('mac')
      sameId(r, netdevId)
      const b = c.use(r, netdevId, 'netdev', ['Tap', 'VhostUserNet'])
      if (b === undefined) return undefined
      if (b._tag === 'VhostUserNet') return VhostUser.readNet(r, c, drv, b, mac)
      sameTransport(r, drv, c.transport)
      const disableModern = readVirtio(r)
      const multi = r.bool('mq')
      const vectors = r.int('vectors')
      const n = b.fds.length
      if (n > 0 ? multi !== true : multi !== undefined) r.fail('mq=on goes with tap fds= in the device model, and only then')
      if (c.transport === 'pci' && n > 0 ? vectors !== 2 * n + 2 : vectors !== undefined)
        r.fail(
          `vectors= in the device model is 2 × queues + 2 on PCI with fds (here ${n > 0 && c.transport === 'pci' ? 2 * n + 2 : 'none'})`,
        )
      return {
        _tag: 'Net',
        type: 'tap',
        id: netdevId,
        ifName: b.ifName,
        mac,
        fds: b.fds,
        vhostFds: b.vhostFds,
        vhost: b.vhost,
        disableModern,
        placement: readPlacement(r),
      }
    },
  },
  hotplug: {
    add: (d, transport) => {
      const names = d.fds.map((_, i) => `fd-${d.id}-${i}`)
      const vhost = passedVhost(d)
      const vhostNames = vhost.map((_, i) => `vhostfd-${d.id}-${i}`)
      return [
        ...d.fds.map((s, i) => sendFd(names[i] as string, s)),
        ...vhost.map((fd, i) => sendFd(vhostNames[i] as string, fd)),
        Tap.add(d.id, names, vhostNames),
        execute('device_add', toArguments(resolve(itemsOf(device, d), 'qmp', { transport, fdBase: 0 }), 'driver')),
      ]
    },
    removeBackend: (d) => [Tap.remove(d.id)],
  },
  kind: () => 'Net',
  view: (d) => {
    const fdText = (xs: ReadonlyArray<FdSource>): string | undefined =>
      xs.length > 0 ? xs.map((x) => (typeof x === 'number' ? String(x) : `tap:${x.tap}`)).join(':') : undefined
    return {
      kind: 'Net',
      placement: showPlacement(d.placement),
      props: props({
        mac: d.mac,
        vhost: d.vhost,
        vhostfds: fdText(d.vhostFds),
        fds: fdText(d.fds),
        ifname: d.fds.length > 0 ? undefined : d.ifName,
        'disable-modern': d.disableModern,
      }),
    }
  },
}
