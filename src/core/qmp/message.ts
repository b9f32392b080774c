/**
 * QMP wire messages as codecs (greeting, return, error, event) and the pure line codec:
 * `parseLine` never throws (garbage is a `QmpProtocol` error carrying the line) and
 * `encodeCommand` writes one JSON object per line with a correlation `id`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { qmpProtocol, type PlanError } from '../errors.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const Id = t.union([t.string, t.number])

/** @since 0.1.0 @category codecs */
export const Greeting = t.type({
  QMP: t.type({
    version: t.type({ qemu: t.type({ major: t.number, minor: t.number, micro: t.number }), package: t.union([t.string, t.undefined]) }),
    capabilities: t.array(t.string),
  }),
})
/** @since 0.1.0 @category codecs */
export const Return = t.intersection([t.type({ return: t.unknown }), t.partial({ id: Id })])
/** @since 0.1.0 @category codecs */
export const ErrorReply = t.intersection([t.type({ error: t.type({ class: t.string, desc: t.string }) }), t.partial({ id: Id })])
/** @since 0.1.0 @category codecs */
export const Event = t.intersection([
  t.type({ event: t.string, timestamp: t.type({ seconds: t.number, microseconds: t.number }) }),
  t.partial({ data: t.UnknownRecord }),
])

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export type QmpMessage =
  | {
      readonly _tag: 'Greeting'
      readonly version: { readonly major: number; readonly minor: number; readonly micro: number }
      readonly capabilities: ReadonlyArray<string>
    }
  | { readonly _tag: 'Return'; readonly id: string | number | undefined; readonly value: unknown }
  | { readonly _tag: 'Error'; readonly id: string | number | undefined; readonly class: string; readonly desc: string }
  | {
      readonly _tag: 'Event'
      readonly event: string
      readonly data: Readonly<Record<string, unknown>>
      readonly timestamp: { readonly seconds: number; readonly microseconds: number }
    }

/** @since 0.1.0 @category model */
export type QmpEvent = Extract<QmpMessage, { _tag: 'Event' }>

/** A command on the wire. @since 0.1.0 @category model */
export interface QmpCommand {
  readonly execute: string
  readonly arguments?: Readonly<Record<string, unknown>>
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Parse one line from QEMU.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { qmp } from 'qemu-plan'
 * const { parseLine } = qmp
 * assert.ok(E.isRight(parseLine('{"return": {}, "id": 1}')))
 * assert.ok(E.isLeft(parseLine('{"retu')))
 * @since 0.1.0
 * @category codecs
 */
export const parseLine = (line: string): E.Either<PlanError, QmpMessage> => {
  let u: unknown
  try {
    u = JSON.parse(line)
  } catch {
    return E.left(qmpProtocol({ line, reason: 'not JSON' }))
  }
  // most lines are replies, then events: test the cheap discriminating key before the codec
  if (typeof u === 'object' && u !== null) {
    if ('return' in u && Return.is(u)) return E.right({ _tag: 'Return', id: u.id, value: u.return })
    if ('event' in u && Event.is(u)) return E.right({ _tag: 'Event', event: u.event, data: u.data ?? {}, timestamp: u.timestamp })
    if ('error' in u && ErrorReply.is(u)) return E.right({ _tag: 'Error', id: u.id, class: u.error.class, desc: u.error.desc })
    if ('QMP' in u && Greeting.is(u)) return E.right({ _tag: 'Greeting', version: u.QMP.version.qemu, capabilities: u.QMP.capabilities })
  }
  return E.left(qmpProtocol({ line, reason: 'not a QMP greeting, return, error or event' }))
}

/** One command as a line, with its correlation id. @since 0.1.0 @category codecs */
export const encodeCommand = (c: QmpCommand, id: string | number): string =>
  `${JSON.stringify(c.arguments === undefined ? { execute: c.execute, id } : { execute: c.execute, arguments: c.arguments, id })}\n`
