/**
 * `-chardev socket`: a unix socket, as a server (QEMU listens: the console and virtio-serial
 * ports) or as a client (vhost-user backends listen). govmm printed the server's flags bare
 * (`server,nowait`), QEMU 7.2 wants `server=on,wait=off`.
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import { flag } from '../profile.ts'
import { filled, pairOf, template, type Filled, type Part } from '../template.ts'

/** @since 0.3.0 @category model */
export interface SocketChardev {
  readonly _tag: 'Chardev'
  readonly id: string
  readonly path: string
  readonly server: boolean
}

/** @since 0.3.0 @category render */
export const render = (id: string, path: string, server: boolean): Filled => filled(server ? listening : connecting, { id, path })

// the two option lists, compiled once per dialect and transport (`template`): a listening socket
// is the connecting one with server=on,wait=off
type Socket = { readonly id: string; readonly path: string }
const socketParts: ReadonlyArray<Part<Socket>> = ['socket', pairOf('id', (c) => c.id), pairOf('path', (c) => c.path)]
const connecting = template<Socket>('-chardev', socketParts)
const listening = template<Socket>('-chardev', [...socketParts, flag('server'), flag('wait', false)])

/** @since 0.3.0 @category parse */
export const parse = (r: Reader): SocketChardev => {
  if (r.head !== 'socket') r.fail('only socket chardevs are in the device model')
  const id = r.req('id')
  const path = r.req('path')
  const server = r.bool('server') ?? false
  const wait = r.bool('wait')
  if (server ? wait !== false : wait !== undefined)
    r.fail('a socket chardev in the device model is a server with wait=off, or a client without wait')
  return { _tag: 'Chardev', id, path, server }
}
