/**
 * A reader over one option's properties: each `take` consumes a property, the first problem is
 * kept as a `ParseError` naming the option's argv token, and `done` refuses properties nobody took
 * (the device model could not represent them, so dropping them would change the VM).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseError, type ParseError } from '../errors.ts'
import type { Option, Prop, Props } from './options.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface Reader {
  /** The option's head (driver, backend type …). */
  readonly head: string | undefined
  /** Record a problem (the first one wins). */
  readonly fail: (reason: string) => void
  readonly has: (key: string) => boolean
  /** An optional string property. */
  readonly str: (key: string) => string | undefined
  /** A required string property (`''` and a recorded problem when missing). */
  readonly req: (key: string) => string
  /** An optional boolean (`on|off|true|false|yes|no`, a bare key is `on`). */
  readonly bool: (key: string) => boolean | undefined
  /** An optional non-negative integer in `radix` (a `0x` prefix is allowed in base 16). */
  readonly int: (key: string, radix?: 10 | 16) => number | undefined
  /** A property that, when present, must have one of `allowed` (the value the planner always emits). */
  readonly fixed: (key: string, allowed: ReadonlyArray<string>, required?: boolean) => void
  /** Finish: the value, or the first problem, or a problem for the first property nobody took. */
  readonly done: <A>(a: A) => E.Either<ParseError, A>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** QEMU's boolean spellings. @since 0.1.0 @category utils */
export const parseBool = (v: string): boolean | undefined =>
  ['on', 'yes', 'true', 'y'].includes(v) ? true : ['off', 'no', 'false', 'n'].includes(v) ? false : undefined

/** A non-negative safe integer in `radix`, or `undefined`. @since 0.1.0 @category utils */
export const parseUInt = (v: string, radix: 10 | 16 = 10): number | undefined => {
  const s = radix === 16 ? v.replace(/^0x/i, '') : v
  if (!(radix === 16 ? /^[0-9a-fA-F]{1,12}$/ : /^[0-9]{1,15}$/).test(s)) return undefined
  const n = parseInt(s, radix)
  return Number.isSafeInteger(n) ? n : undefined
}

/** A size with QEMU's suffixes (`k M G T`, base 1024); `unit` is the multiplier of a bare number. @since 0.1.0 @category utils */
export const parseSize = (v: string, unit: number): number | undefined => {
  const m = /^([0-9]{1,15})([kKmMgGtT]?)[bB]?$/.exec(v)
  if (m === null) return undefined
  const mult = { '': unit, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m[2] ?? '').toLowerCase()] ?? unit
  const n = Number(m[1]) * mult
  return Number.isSafeInteger(n) ? n : undefined
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A reader for `opt` (at argv index `opt.position + 1`, its value) with properties `p`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reader = (opt: Option, p: Props): Reader => {
  let problem: string | undefined
  const fail = (reason: string): void => {
    if (problem === undefined) problem = `${opt.flag} ${p.head ?? ''}: ${reason}`.replace(' : ', ': ')
  }
  const left = new Map<string, Prop>()
  for (const x of p.props) {
    if (left.has(x.key)) fail(`property ${x.key} is given twice`)
    left.set(x.key, x)
  }
  const take = (key: string): Prop | undefined => {
    const x = left.get(key)
    left.delete(key)
    return x
  }
  const str = (key: string): string | undefined => take(key)?.value
  const r: Reader = {
    head: p.head,
    fail,
    has: (key) => left.has(key),
    str,
    req: (key) => {
      const v = str(key)
      if (v === undefined) fail(`property ${key} is missing`)
      return v ?? ''
    },
    bool: (key) => {
      const v = str(key)
      if (v === undefined) return undefined
      const b = parseBool(v)
      if (b === undefined) fail(`property ${key}=${v} is not a boolean (on/off)`)
      return b
    },
    int: (key, radix = 10) => {
      const v = str(key)
      if (v === undefined) return undefined
      const n = parseUInt(v, radix)
      if (n === undefined) fail(`property ${key}=${v} is not a ${radix === 16 ? 'hexadecimal ' : ''}number`)
      return n
    },
    fixed: (key, allowed, required = false) => {
      const v = str(key)
      if (v === undefined ? required : !allowed.includes(v))
        fail(`property ${key}${v === undefined ? ' is missing' : `=${v}`}: the device model only has ${allowed.map((a) => `${key}=${a}`).join(' or ')}`)
    },
    done: (a) => {
      const rest = [...left.keys()]
      if (problem === undefined && rest.length > 0) fail(`unknown property ${rest[0]} (parse does not understand it)`)
      return problem === undefined ? E.right(a) : E.left(parseError({ position: opt.position + 1, token: opt.value, reason: problem }))
    },
  }
  return r
}
