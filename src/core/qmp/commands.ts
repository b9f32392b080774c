/**
 * The QMP commands qemu-plan sends outside hot-plug plans, and codecs for the replies it reads:
 * replies are decoded, never cast, so a QEMU that answers something unexpected is a typed
 * `QmpProtocol` error naming the command.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { qmpProtocol, type QmpProtocol } from '../errors.ts'
import { command, type QmpCommand } from './action.ts'

// -------------------------------------------------------------------------------------
// commands
// -------------------------------------------------------------------------------------

/** `migrate-set-capabilities x-ignore-shared` (Kata's `setIgnoreSharedMemoryMigrationCaps`). @since 0.3.0 @category constructors */
export const ignoreSharedCommand: QmpCommand = command('migrate-set-capabilities', {
  capabilities: [{ capability: 'x-ignore-shared', state: true }],
})

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** One entry of `query-hotpluggable-cpus`. @since 0.3.0 @category codecs */
export const HotpluggableCpu = t.intersection([
  t.type({ type: t.string, props: t.record(t.string, t.number) }),
  t.partial({ 'qom-path': t.string, 'vcpus-count': t.number }),
])
/** @since 0.3.0 @category model */
export type HotpluggableCpu = t.TypeOf<typeof HotpluggableCpu>

/** One entry of `query-memory-devices`: its type and, for DIMMs and NVDIMMs, the slot and id. @since 0.3.0 @category codecs */
export const MemoryDevice = t.type({
  type: t.string,
  data: t.partial({ slot: t.number, id: t.string, memdev: t.string, size: t.number }),
})
/** @since 0.3.0 @category model */
export type MemoryDevice = t.TypeOf<typeof MemoryDevice>

/** `query-migrate`'s answer. @since 0.3.0 @category codecs */
export const MigrationInfo = t.partial({ status: t.string })

/** One PCI device of `query-pci`, with the bus behind it when it is a bridge. @since 0.3.0 @category model */
export interface PciDeviceInfo {
  bus: number
  slot: number
  function: number
  qdev_id: string
  pci_bridge?: { bus: { number: number }; devices?: Array<PciDeviceInfo> }
}

/** @since 0.3.0 @category codecs */
export const PciDeviceInfo: t.Type<PciDeviceInfo> = t.recursion<PciDeviceInfo>('PciDeviceInfo', () =>
  t.intersection([
    t.type({ bus: t.number, slot: t.number, function: t.number, qdev_id: t.string }),
    t.partial({
      pci_bridge: t.intersection([t.type({ bus: t.type({ number: t.number }) }), t.partial({ devices: t.array(PciDeviceInfo) })]),
    }),
  ]),
)

/** `query-pci`: one entry per root bus. @since 0.3.0 @category codecs */
export const PciInfo = t.array(t.type({ bus: t.number, devices: t.array(PciDeviceInfo) }))

/**
 * Decode a reply of `command` with `codec`.
 *
 * @since 0.3.0
 * @category codecs
 */
export const decodeReply =
  <A>(codec: t.Decoder<unknown, A>, command: string) =>
  (u: unknown): E.Either<QmpProtocol, A> => {
    const r = codec.decode(u)
    return E.isRight(r)
      ? E.right(r.right)
      : E.left(qmpProtocol({ line: JSON.stringify(u)?.slice(0, 200) ?? '', reason: `unexpected reply to ${command}` }))
  }
