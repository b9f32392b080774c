/**
 * The one error type of qemu-plan. Every failure — bad input, an impossible device, a full bridge,
 * a refused QMP command — is a tagged value carrying the data needed to explain it. Nothing in
 * `core` or `arch` throws; adapters in `effects` convert throws at the boundary.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One decoding problem: where (a dotted path such as `devices.2.mac`) and what was expected. @since 0.1.0 @category errors */
export interface FieldProblem {
  readonly path: string
  readonly expected: string
  readonly actual: string
}

/** @since 0.1.0 @category errors */
export type CoreError =
  | { readonly _tag: 'InvalidInput'; readonly problems: ReadonlyArray<FieldProblem> }
  | { readonly _tag: 'UnknownMachine'; readonly arch: string; readonly machine: string; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnknownBinary'; readonly machine: string }
  | { readonly _tag: 'NoBridges' }
  | { readonly _tag: 'NoBridgeSlot'; readonly bridgeType: string; readonly available: ReadonlyArray<string> }
  | { readonly _tag: 'DeviceNotOnBridge'; readonly id: string }
  | { readonly _tag: 'WrongBridgeType'; readonly expected: string; readonly actual: string; readonly bridge: string }
  | { readonly _tag: 'NoBusSlot'; readonly bus: string; readonly device: string }
  | { readonly _tag: 'InvalidDevice'; readonly device: string; readonly field: string; readonly reason: string }
  | { readonly _tag: 'DuplicateId'; readonly id: string; readonly field: string }
  | { readonly _tag: 'Unsupported'; readonly arch: string; readonly feature: string }
  | { readonly _tag: 'InvalidConfig'; readonly field: string; readonly reason: string }
  | { readonly _tag: 'ParseError'; readonly position: number; readonly token: string; readonly reason: string }
  | { readonly _tag: 'NoHotplugCapacity'; readonly field: string; readonly resource: string; readonly needed: number; readonly available: number }
  | { readonly _tag: 'CapabilityMissing'; readonly position: number; readonly token: string; readonly kind: string; readonly name: string; readonly binary: string }

/** @since 0.1.0 @category errors */
export type EffectError =
  | { readonly _tag: 'ImageNotFound'; readonly path: string }
  | { readonly _tag: 'Io'; readonly op: string; readonly path: string; readonly code: string }
  | { readonly _tag: 'ConnectionRefused'; readonly path: string; readonly code: string }
  | { readonly _tag: 'QemuExited'; readonly code: number | null; readonly signal: string | null; readonly stderr: string }
  | { readonly _tag: 'QmpError'; readonly class: string; readonly desc: string; readonly command: string }
  | { readonly _tag: 'QmpProtocol'; readonly line: string; readonly reason: string }
  | { readonly _tag: 'Timeout'; readonly op: string; readonly ms: number }
  | { readonly _tag: 'Closed'; readonly op: string }

/** @since 0.1.0 @category errors */
export type PlanError = CoreError | EffectError

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

type Of<T extends PlanError['_tag']> = Extract<PlanError, { _tag: T }>
const mk =
  <T extends PlanError['_tag']>(tag: T) =>
  (data: Omit<Of<T>, '_tag'>): PlanError =>
    ({ _tag: tag, ...data }) as Of<T>

/** @since 0.1.0 @category constructors */
export const invalidInput = mk('InvalidInput')
/** @since 0.1.0 @category constructors */
export const unknownMachine = mk('UnknownMachine')
/** @since 0.1.0 @category constructors */
export const unknownBinary = mk('UnknownBinary')
/** @since 0.1.0 @category constructors */
export const noBridges: PlanError = { _tag: 'NoBridges' }
/** @since 0.1.0 @category constructors */
export const noBridgeSlot = mk('NoBridgeSlot')
/** @since 0.1.0 @category constructors */
export const deviceNotOnBridge = mk('DeviceNotOnBridge')
/** @since 0.1.0 @category constructors */
export const wrongBridgeType = mk('WrongBridgeType')
/** @since 0.1.0 @category constructors */
export const noBusSlot = mk('NoBusSlot')
/** @since 0.1.0 @category constructors */
export const invalidDevice = mk('InvalidDevice')
/** @since 0.1.0 @category constructors */
export const duplicateId = mk('DuplicateId')
/** @since 0.1.0 @category constructors */
export const unsupported = mk('Unsupported')
/** @since 0.1.0 @category constructors */
export const invalidConfig = mk('InvalidConfig')
/** @since 0.1.0 @category constructors */
export const parseError = mk('ParseError')
/** @since 0.1.0 @category constructors */
export const noHotplugCapacity = mk('NoHotplugCapacity')
/** @since 0.1.0 @category constructors */
export const capabilityMissing = mk('CapabilityMissing')
/** @since 0.1.0 @category constructors */
export const imageNotFound = mk('ImageNotFound')
/** @since 0.1.0 @category constructors */
export const io = mk('Io')
/** @since 0.1.0 @category constructors */
export const connectionRefused = mk('ConnectionRefused')
/** @since 0.1.0 @category constructors */
export const qemuExited = mk('QemuExited')
/** @since 0.1.0 @category constructors */
export const qmpError = mk('QmpError')
/** @since 0.1.0 @category constructors */
export const qmpProtocol = mk('QmpProtocol')
/** @since 0.1.0 @category constructors */
export const timeout = mk('Timeout')
/** @since 0.1.0 @category constructors */
export const closed = mk('Closed')

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const clip = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n)}…` : s)

/**
 * One line of human text for an error, starting with its tag (the CLI prints exactly this).
 *
 * @example
 * import { toMessage, noBridgeSlot } from 'qemu-plan'
 * assert.strictEqual(toMessage(noBridgeSlot({ bridgeType: 'pci', available: ['pcie'] })),
 *   'NoBridgeSlot: no free slot on any pci bridge (bridge types present: pcie)')
 * @since 0.1.0
 * @category errors
 */
export const toMessage = (e: PlanError): string => {
  switch (e._tag) {
    case 'InvalidInput':
      return `InvalidInput: ${e.problems.map((p) => `${p.path || '<root>'}: expected ${p.expected}, got ${p.actual}`).join('; ')}`
    case 'UnknownMachine':
      return `UnknownMachine: unrecognised machine type ${e.machine} for ${e.arch} (supported: ${e.supported.join(', ')})`
    case 'UnknownBinary':
      return `UnknownBinary: no QEMU binary known for machine type ${e.machine}; set hypervisor.qemu.path`
    case 'NoBridges':
      return 'NoBridges: failed to get available address from bridges: the plan has no bridges'
    case 'NoBridgeSlot':
      return `NoBridgeSlot: no free slot on any ${e.bridgeType} bridge (bridge types present: ${e.available.join(', ') || 'none'})`
    case 'DeviceNotOnBridge':
      return `DeviceNotOnBridge: device ${e.id} is not present on any bridge`
    case 'WrongBridgeType':
      return `WrongBridgeType: bridge ${e.bridge} is ${e.actual}, expected ${e.expected}`
    case 'NoBusSlot':
      return `NoBusSlot: no free slot on bus ${e.bus} for device ${e.device}`
    case 'InvalidDevice':
      return `InvalidDevice: ${e.device}: ${e.field}: ${e.reason}`
    case 'DuplicateId':
      return `DuplicateId: id ${e.id} (${e.field}) is already used in this plan`
    case 'Unsupported':
      return `Unsupported: ${e.arch} cannot do ${e.feature}`
    case 'InvalidConfig':
      return `InvalidConfig: ${e.field}: ${e.reason}`
    case 'ParseError':
      return `ParseError: at token ${e.position} (${clip(JSON.stringify(e.token), 80)}): ${e.reason}`
    case 'NoHotplugCapacity':
      return `NoHotplugCapacity: ${e.field}: needs ${e.needed} ${e.resource}, the plan has ${e.available}`
    case 'CapabilityMissing':
      return `CapabilityMissing: at token ${e.position} (${clip(JSON.stringify(e.token), 80)}): ${e.binary} has no ${e.kind} ${e.name}`
    case 'ImageNotFound':
      return `ImageNotFound: ${e.path} does not exist`
    case 'Io':
      return `Io: ${e.op} ${e.path}: ${e.code}`
    case 'ConnectionRefused':
      return `ConnectionRefused: ${e.path}: ${e.code}`
    case 'QemuExited':
      return `QemuExited: QEMU exited (code ${e.code}, signal ${e.signal}): ${clip(e.stderr.trim(), 400)}`
    case 'QmpError':
      return `QmpError: ${e.command}: ${e.class}: ${e.desc}`
    case 'QmpProtocol':
      return `QmpProtocol: ${e.reason}: ${clip(JSON.stringify(e.line))}`
    case 'Timeout':
      return `Timeout: ${e.op} did not finish within ${e.ms} ms`
    case 'Closed':
      return `Closed: ${e.op}: the connection is closed`
  }
}
