/**
 * The backends devices point at, one module each: `-chardev socket`, `-drive`, `-netdev
 * tap|vhost-user`, `-fsdev local`, and `-object rng-random | memory-backend-file|ram | iothread`.
 * `parseBackend` reads one such option into its model for `parse`, which looks them up by id.
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import * as Chardev from './chardev-socket.ts'
import * as Drive from './drive.ts'
import * as Fsdev from './fsdev-local.ts'
import * as IoThread from './iothread.ts'
import * as MemoryBackend from './memory-backend.ts'
import * as Tap from './netdev-tap.ts'
import * as VhostUserNet from './netdev-vhost-user.ts'
import * as Rng from './rng-random.ts'

/** @since 0.3.0 @category model */
export type Backend =
  | Chardev.SocketChardev
  | Drive.Drive
  | Tap.TapNetdev
  | VhostUserNet.VhostUserNetdev
  | Fsdev.LocalFsdev
  | Rng.RngRandom
  | MemoryBackend.MemoryBackend
  | IoThread.IoThread

/** @since 0.3.0 @category model */
export type BackendOf<K extends Backend['_tag']> = Extract<Backend, { _tag: K }>

/** The namespace of each backend option, and the key its implied first element stands for. @since 0.3.0 @category model */
export const backendFlags: Readonly<Record<string, readonly ['chardev' | 'drive' | 'netdev' | 'fsdev' | 'object', string | undefined]>> = {
  '-chardev': ['chardev', 'backend'],
  '-drive': ['drive', undefined],
  '-netdev': ['netdev', 'type'],
  '-fsdev': ['fsdev', 'fsdriver'],
  '-object': ['object', 'qom-type'],
}

const netdev = (r: Reader): Backend => {
  const id = r.req('id')
  if (r.head === 'vhost-user') return VhostUserNet.parse(r, id)
  if (r.head !== 'tap') r.fail(`netdev type ${r.head ?? '(none)'} is not in the device model (tap, vhost-user)`)
  return Tap.parse(r, id)
}

const object = (r: Reader): Backend => {
  const id = r.req('id')
  switch (r.head) {
    case 'iothread':
      return IoThread.parse(id)
    case 'rng-random':
      return Rng.parse(r, id)
    case 'memory-backend-file':
    case 'memory-backend-ram':
      return MemoryBackend.parse(r, id)
    default:
      r.fail(`object type ${r.head ?? '(none)'} is not in the device model`)
      return IoThread.parse(id)
  }
}

/** Read one backend option of namespace `ns`. @since 0.3.0 @category parse */
export const parseBackend = (ns: 'chardev' | 'drive' | 'netdev' | 'fsdev' | 'object', r: Reader): Backend => {
  switch (ns) {
    case 'chardev':
      return Chardev.parse(r)
    case 'drive':
      return Drive.parse(r)
    case 'netdev':
      return netdev(r)
    case 'fsdev':
      return Fsdev.parse(r)
    case 'object':
      return object(r)
  }
}
