/**
 * The errors of qemu-plan. Every failure — bad input, an impossible device, a full bridge, a
 * refused QMP command — is a tagged value carrying the data needed to explain it. Each
 * constructor returns its own variant, so a function's type says which failures it can have:
 * `core` and `arch` return `CoreError`s, the effects layer adds `EffectError`s. Nothing in `core`
 * or `arch` throws; the adapters in `effects` turn throws into values at the boundary.
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

/** @since 0.3.0 @category errors */
export interface InvalidInput {
  readonly _tag: 'InvalidInput'
  readonly problems: ReadonlyArray<FieldProblem>
}
/** @since 0.3.0 @category errors */
export interface UnknownMachine {
  readonly _tag: 'UnknownMachine'
  readonly arch: string
  readonly machine: string
  readonly supported: ReadonlyArray<string>
}
/** @since 0.3.0 @category errors */
export interface UnknownBinary {
  readonly _tag: 'UnknownBinary'
  readonly machine: string
}
/** @since 0.3.0 @category errors */
export interface NoBridges {
  readonly _tag: 'NoBridges'
}
/** @since 0.3.0 @category errors */
export interface NoBridgeSlot {
  readonly _tag: 'NoBridgeSlot'
  readonly bridgeType: string
  readonly available: ReadonlyArray<string>
}
/** @since 0.3.0 @category errors */
export interface DeviceNotOnBridge {
  readonly _tag: 'DeviceNotOnBridge'
  readonly id: string
}
/** @since 0.3.0 @category errors */
export interface UnknownDevice {
  readonly _tag: 'UnknownDevice'
  readonly id: string
}
/** @since 0.3.0 @category errors */
export interface WrongBridgeType {
  readonly _tag: 'WrongBridgeType'
  readonly expected: string
  readonly actual: string
  readonly bridge: string
}
/** @since 0.3.0 @category errors */
export interface NoBusSlot {
  readonly _tag: 'NoBusSlot'
  readonly bus: string
  readonly device: string
}
/** @since 0.3.0 @category errors */
export interface InvalidDevice {
  readonly _tag: 'InvalidDevice'
  readonly device: string
  readonly field: string
  readonly reason: string
}
/** @since 0.3.0 @category errors */
export interface DuplicateId {
  readonly _tag: 'DuplicateId'
  readonly id: string
  readonly field: string
}
/** @since 0.3.0 @category errors */
export interface Unsupported {
  readonly _tag: 'Unsupported'
  readonly arch: string
  readonly feature: string
}
/** @since 0.3.0 @category errors */
export interface InvalidConfig {
  readonly _tag: 'InvalidConfig'
  readonly field: string
  readonly reason: string
}
/** @since 0.3.0 @category errors */
export interface ParseError {
  readonly _tag: 'ParseError'
  readonly position: number
  readonly token: string
  readonly reason: string
}
/** @since 0.3.0 @category errors */
export interface NoHotplugCapacity {
  readonly _tag: 'NoHotplugCapacity'
  readonly field: string
  readonly resource: string
  readonly needed: number
  readonly available: number
}
/** @since 0.3.0 @category errors */
export interface CapabilityMissing {
  readonly _tag: 'CapabilityMissing'
  readonly position: number
  readonly token: string
  readonly kind: string
  readonly name: string
  readonly binary: string
}
/** A unix socket path longer than `sun_path` holds (Kata's `utils.BuildSocketPath`). @since 0.3.0 @category errors */
export interface PathTooLong {
  readonly _tag: 'PathTooLong'
  readonly field: string
  readonly path: string
  readonly length: number
  readonly max: number
}
/** What the VM really has contradicts what the state file says. @since 0.3.0 @category errors */
export interface StateMismatch {
  readonly _tag: 'StateMismatch'
  readonly field: string
  readonly reason: string
}

/** @since 0.1.0 @category errors */
export type CoreError =
  | InvalidInput
  | UnknownMachine
  | UnknownBinary
  | NoBridges
  | NoBridgeSlot
  | DeviceNotOnBridge
  | UnknownDevice
  | WrongBridgeType
  | NoBusSlot
  | InvalidDevice
  | DuplicateId
  | Unsupported
  | InvalidConfig
  | ParseError
  | NoHotplugCapacity
  | CapabilityMissing
  | StateMismatch
  | PathTooLong

/** @since 0.3.0 @category errors */
export interface ImageNotFound {
  readonly _tag: 'ImageNotFound'
  readonly path: string
}
/** @since 0.3.0 @category errors */
export interface Io {
  readonly _tag: 'Io'
  readonly op: string
  readonly path: string
  readonly code: string
}
/** @since 0.3.0 @category errors */
export interface ConnectionRefused {
  readonly _tag: 'ConnectionRefused'
  readonly path: string
  readonly code: string
}
/** @since 0.3.0 @category errors */
export interface QemuExited {
  readonly _tag: 'QemuExited'
  readonly code: number | null
  readonly signal: string | null
  readonly stderr: string
}
/** @since 0.3.0 @category errors */
export interface QmpError {
  readonly _tag: 'QmpError'
  readonly class: string
  readonly desc: string
  readonly command: string
}
/** @since 0.3.0 @category errors */
export interface QmpProtocol {
  readonly _tag: 'QmpProtocol'
  readonly line: string
  readonly reason: string
}
/** @since 0.3.0 @category errors */
export interface Timeout {
  readonly _tag: 'Timeout'
  readonly op: string
  readonly ms: number
}
/** @since 0.3.0 @category errors */
export interface Closed {
  readonly _tag: 'Closed'
  readonly op: string
}
/** Another process holds the lock on a state file past the wait. @since 0.3.0 @category errors */
export interface Busy {
  readonly _tag: 'Busy'
  readonly path: string
  readonly holder: string
  readonly ms: number
}
/** A host fact could not be read from the running host. @since 0.3.0 @category errors */
export interface HostFactUnavailable {
  readonly _tag: 'HostFactUnavailable'
  readonly fact: string
  readonly source: string
  readonly code: string
  readonly supply: string
}
/** A program the effects need is not installed. @since 0.3.0 @category errors */
export interface MissingProgram {
  readonly _tag: 'MissingProgram'
  readonly program: string
  readonly purpose: string
}

/** @since 0.1.0 @category errors */
export type EffectError =
  | ImageNotFound
  | Io
  | ConnectionRefused
  | QemuExited
  | QmpError
  | QmpProtocol
  | Timeout
  | Closed
  | Busy
  | MissingProgram
  | HostFactUnavailable

/** @since 0.1.0 @category errors */
export type PlanError = CoreError | EffectError

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

type Of<T extends PlanError['_tag']> = Extract<PlanError, { _tag: T }>
const mk =
  <T extends PlanError['_tag']>(tag: T) =>
  (data: Omit<Of<T>, '_tag'>): Of<T> =>
    ({ _tag: tag, ...data }) as Of<T>

/** @since 0.1.0 @category constructors */
export const invalidInput = mk('InvalidInput')
/** @since 0.1.0 @category constructors */
export const unknownMachine = mk('UnknownMachine')
/** @since 0.1.0 @category constructors */
export const unknownBinary = mk('UnknownBinary')
/** @since 0.1.0 @category constructors */
export const noBridges: NoBridges = { _tag: 'NoBridges' }
/** @since 0.1.0 @category constructors */
export const noBridgeSlot = mk('NoBridgeSlot')
/** @since 0.1.0 @category constructors */
export const deviceNotOnBridge = mk('DeviceNotOnBridge')
/** @since 0.3.0 @category constructors */
export const unknownDevice = mk('UnknownDevice')
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
/** @since 0.3.0 @category constructors */
export const stateMismatch = mk('StateMismatch')
/** @since 0.3.0 @category constructors */
export const pathTooLong = mk('PathTooLong')
/** @since 0.3.0 @category constructors */
export const hostFactUnavailable = mk('HostFactUnavailable')
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
/** @since 0.3.0 @category constructors */
export const busy = mk('Busy')
/** @since 0.3.0 @category constructors */
export const missingProgram = mk('MissingProgram')

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const clip = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n)}…` : s)

const control = /[\u0000-\u001f\u007f\u2028\u2029]/g
const escapeControl = (s: string): string =>
  s.replace(control, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/**
 * A value as an error message may echo it: on one line (newlines and other control characters
 * escaped) and at most `n` characters, a longer value cut and followed by its total length
 * (`…(10485760 chars)`).
 *
 * @example
 * import { bounded } from 'qemu-plan'
 * assert.strictEqual(bounded('a\nb'), 'a\\nb')
 * assert.strictEqual(bounded('x'.repeat(300), 4), 'xxxx…(300 chars)')
 * @since 0.2.0
 * @category errors
 */
export const bounded = (s: string, n = 200): string => {
  const head = escapeControl(s.slice(0, n + 1))
  if (s.length <= n && head.length <= n) return head
  // never end on half a surrogate pair
  const cut = /[\ud800-\udbff]$/.test(head.slice(0, n)) ? head.slice(0, n - 1) : head.slice(0, n)
  return `${cut}…(${s.length} chars)`
}

/** How many entries of a list (problems, supported machines) a message names before "and N more". */
const listed = 10
const list = (xs: ReadonlyArray<string>, sep: string): string =>
  xs.length > listed ? `${xs.slice(0, listed).join(sep)}${sep}and ${xs.length - listed} more` : xs.join(sep)

/** Every string an error carries, bounded; a `token` is quoted and clipped where it is printed. */
const boundedFields = (e: PlanError): PlanError => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(e))
    out[k] =
      k === '_tag' || k === 'token' || k === 'stderr' || typeof v !== 'string'
        ? Array.isArray(v)
          ? v.map((x: unknown) => (typeof x === 'string' ? bounded(x) : x))
          : v
        : bounded(v)
  if (e._tag === 'InvalidInput')
    out.problems = e.problems
      .slice(0, listed)
      .map((p) => ({ path: bounded(p.path), expected: bounded(p.expected), actual: bounded(p.actual) }))
  // the same variant, its strings bounded
  return out as unknown as PlanError
}

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
export const toMessage = (whole: PlanError): string => escapeControl(message(boundedFields(whole), whole))

const message = (e: PlanError, whole: PlanError): string => {
  switch (e._tag) {
    case 'InvalidInput': {
      const more = whole._tag === 'InvalidInput' && whole.problems.length > listed ? `; and ${whole.problems.length - listed} more` : ''
      return `InvalidInput: ${e.problems.map((p) => `${p.path || '<root>'}: expected ${p.expected}, got ${p.actual}`).join('; ')}${more}`
    }
    case 'UnknownMachine':
      return `UnknownMachine: unrecognised machine type ${e.machine} for ${e.arch} (supported: ${list(e.supported, ', ')})`
    case 'UnknownBinary':
      return `UnknownBinary: no QEMU binary known for machine type ${e.machine}; set hypervisor.qemu.path`
    case 'NoBridges':
      return 'NoBridges: failed to get available address from bridges: the plan has no bridges'
    case 'NoBridgeSlot':
      return `NoBridgeSlot: no free slot on any ${e.bridgeType} bridge (bridge types present: ${list(e.available, ', ') || 'none'})`
    case 'DeviceNotOnBridge':
      return `DeviceNotOnBridge: device ${e.id} is not present on any bridge`
    case 'UnknownDevice':
      return `UnknownDevice: the plan has no device, vCPU or DIMM with id ${e.id}`
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
    case 'StateMismatch':
      return `StateMismatch: ${e.field}: ${e.reason}`
    case 'PathTooLong':
      return `PathTooLong: ${e.field}: path too long (got ${e.length}, max ${e.max}): ${e.path}`
    case 'HostFactUnavailable':
      return `HostFactUnavailable: cannot read ${e.fact} from ${e.source} (${e.code}); supply it with ${e.supply}`
    case 'ImageNotFound':
      return `ImageNotFound: ${e.path} does not exist`
    case 'Io':
      return `Io: ${e.op} ${e.path}: ${e.code}`
    case 'ConnectionRefused':
      return `ConnectionRefused: ${e.path}: ${e.code}`
    case 'QemuExited':
      return `QemuExited: QEMU exited (code ${e.code}, signal ${e.signal}): ${bounded(e.stderr.trim(), 400)}`
    case 'QmpError':
      return `QmpError: ${e.command}: ${e.class}: ${e.desc}`
    case 'QmpProtocol':
      return `QmpProtocol: ${e.reason}: ${clip(JSON.stringify(e.line))}`
    case 'Timeout':
      return `Timeout: ${e.op} did not finish within ${e.ms} ms`
    case 'Closed':
      return `Closed: ${e.op}: the connection is closed`
    case 'Busy':
      return `Busy: ${e.path} is locked by ${e.holder} (waited ${e.ms} ms)`
    case 'MissingProgram':
      return `MissingProgram: ${e.program} is needed to ${e.purpose}; install it`
  }
}
