/**
 * `-device virtconsole|virtserialport` on the virtio-serial controller, each on a server
 * `-chardev socket` (govmm `CharDevice`): the console, and a sandbox's serial channels.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { optional } from './codecs.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import * as Chardev from './backends/chardev-socket.ts'
import { noPlacement } from './placement.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { filled, pairOf, template, type Template } from './template.ts'

/** @since 0.1.0 @category model */
export interface Port {
  readonly _tag: 'Char'
  readonly driver: 'virtconsole' | 'virtserialport'
  /** The port's own id. */
  readonly id: string
  /** Its socket chardev's id. */
  readonly chardev: string
  readonly path: string
  /** The port name the guest sees (`/dev/virtio-ports/<name>`). */
  readonly name: string | undefined
}

/** Kata's console: `console0` on `charconsole0`. @since 0.3.0 @category constructors */
export const console = (path: string): Port => ({
  _tag: 'Char',
  driver: 'virtconsole',
  id: 'console0',
  chardev: 'charconsole0',
  path,
  name: undefined,
})

/** A sandbox socket device; its chardev id is cut to Kata's 31 bytes, the port id is not. @since 0.3.0 @category constructors */
export const port = (s: { readonly id: string; readonly deviceId: string; readonly hostPath: string; readonly name: string }): Port => ({
  _tag: 'Char',
  driver: 'virtserialport',
  id: s.deviceId,
  chardev: truncateBytes(s.id, maxDevIdSize),
  path: s.hostPath,
  name: s.name,
})

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Port> = t.type({
  _tag: t.literal('Char'),
  driver: t.union([t.literal('virtconsole'), t.literal('virtserialport')]),
  id: Text,
  chardev: Text,
  path: Text,
  name: optional(Text),
})

/** The `-device` option list of each driver, compiled once per dialect and transport (`template`). */
const deviceOf = (driver: Port['driver']): Template<Port> =>
  template<Port>('-device', [driver, pairOf('chardev', (d) => d.chardev), pairOf('id', (d) => d.id), pairOf('name', (d) => d.name)])
const consoleDevice = deviceOf('virtconsole')
const portDevice = deviceOf('virtserialport')

/** @since 0.3.0 @category model */
export const module: DeviceModule<Port> = {
  codec,
  vocabulary: { drivers: ['virtconsole', 'virtserialport'], objects: [] },
  onBus: false,
  placement: () => noPlacement,
  claims: (d) => [
    ['device', d.id],
    ['chardev', d.chardev],
  ],
  source: (d) => (d.driver === 'virtconsole' ? 'console' : 'socket'),
  problem: () => undefined,
  render: (d) => switches(filled(d.driver === 'virtconsole' ? consoleDevice : portDevice, d), Chardev.render(d.chardev, d.path, true)),
  parse: {
    drivers: (drv) => drv === 'virtconsole' || drv === 'virtserialport',
    read: (r, c, drv) => {
      const b = c.use(r, r.req('chardev'), 'chardev', ['Chardev'])
      if (b !== undefined && !b.server) r.fail(`chardev ${b.id}: a virtio-serial port's chardev in the device model is a server`)
      return {
        _tag: 'Char',
        driver: drv === 'virtconsole' ? 'virtconsole' : 'virtserialport',
        id: r.req('id'),
        chardev: b?.id ?? '',
        path: b?.path ?? '',
        name: r.str('name'),
      }
    },
  },
  hotplug: undefined,
  kind: (d) => d.driver,
  view: (d) => ({ kind: 'Char', placement: undefined, props: props({ driver: d.driver, chardev: d.chardev, path: d.path, name: d.name }) }),
}
