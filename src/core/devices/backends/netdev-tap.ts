/**
 * `-netdev tap` (govmm `NetDevice`'s backend): by interface name with no scripts, or by passed
 * fds — vhost-net fds first, then one tap fd per queue, as govmm numbers them. Its QMP form is
 * `netdev_add` over fds passed earlier with `getfd` (Kata's `hotAddNetDevice`).
 *
 * @since 0.3.0
 */
import { command, execute, type Action } from '../../qmp/action.ts'
import { parseUInt, type Reader } from '../../parse/reader.ts'
import { fds, type Switch } from '../profile.ts'

/** @since 0.3.0 @category model */
export interface TapNetdev {
  readonly _tag: 'Tap'
  readonly id: string
  readonly ifName: string
  readonly vhost: boolean
  /** Child fd numbers (parse) or how many are passed. */
  readonly vhostFds: ReadonlyArray<number>
  readonly fds: ReadonlyArray<number>
}

/**
 * The `-netdev`: `queues` tap fds and `vhostQueues` vhost-net fds, numbered from the device's fd
 * base; by name when no fd is passed.
 *
 * @since 0.3.0
 * @category render
 */
export const render = (d: {
  readonly id: string
  readonly ifName: string
  readonly vhost: boolean
  readonly queues: number
  readonly vhostQueues: number
}): Switch => ({
  flag: '-netdev',
  items: [
    'tap',
    ['id', d.id],
    ['vhost', d.vhost ? true : undefined],
    fds('vhostfds', 0, d.vhostQueues),
    ...(d.queues > 0
      ? [fds('fds', d.vhostQueues, d.queues)]
      : ([
          ['ifname', d.ifName],
          ['downscript', 'no'],
          ['script', 'no'],
        ] as const)),
  ],
})

/**
 * `netdev_add` over fds passed as `names` (and `vhostNames`); it takes them over, so their
 * `closefd` undo ends here. Undone by `netdev_del`.
 *
 * @since 0.3.0
 * @category hotplug
 */
export const add = (id: string, names: ReadonlyArray<string>, vhostNames: ReadonlyArray<string>): Action =>
  execute(
    'netdev_add',
    { type: 'tap', id, fds: names.join(':'), ...(vhostNames.length > 0 ? { vhost: true, vhostfds: vhostNames.join(':') } : {}) },
    [command('netdev_del', { id })],
    [...names, ...vhostNames],
  )

/** `netdev_del`, once the NIC using it is gone. @since 0.3.0 @category hotplug */
export const remove = (id: string): Action => execute('netdev_del', { id })

const fdList = (r: Reader, key: string): ReadonlyArray<number> => {
  const v = r.str(key)
  if (v === undefined) return []
  const xs = v.split(':').map((x) => parseUInt(x))
  if (xs.some((x) => x === undefined)) r.fail(`property ${key}=${v} is not a list of fd numbers (a:b:…)`)
  return xs.map((x) => x ?? 0)
}

/** @since 0.3.0 @category parse */
export const parse = (r: Reader, id: string): TapNetdev => {
  const vhost = r.bool('vhost') ?? false
  const vhostFds = fdList(r, 'vhostfds')
  const tapFds = fdList(r, 'fds')
  if (vhostFds.length > 0 && !vhost) r.fail('vhostfds without vhost=on')
  if (tapFds.length > 0) return { _tag: 'Tap', id, vhost, vhostFds, fds: tapFds, ifName: '' }
  const ifName = r.req('ifname')
  r.fixed('downscript', ['no'], true)
  r.fixed('script', ['no'], true)
  return { _tag: 'Tap', id, vhost, vhostFds, fds: tapFds, ifName }
}
