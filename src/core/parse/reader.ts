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
  v === 'on' || v === 'yes' || v === 'true' || v === 'y'
    ? true
    : v === 'off' || v === 'no' || v === 'false' || v === 'n'
      ? false
      : undefined

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

/** Up to this many properties are searched in a list (an option string has a dozen at most); more go in a map. */
const listed = 16

/**
 * The reader of one option: the properties not yet taken, methods on the prototype. A typical
 * option is searched as a short list — no map built per option, which is most of what parsing a
 * large command line allocates — and a long adversarial one through a map, so no input is
 * quadratic.
 */
class OptionReader implements Reader {
  readonly head: string | undefined
  private problem: string | undefined = undefined
  /** Properties not yet taken (`undefined` once taken), in option order. */
  private readonly props: Array<Prop | undefined>
  private readonly index: Map<string, number> | undefined
  private size: number
  constructor(
    private readonly opt: Option,
    p: Props,
  ) {
    this.head = p.head
    this.props = p.props.slice()
    this.size = this.props.length
    if (this.size > listed) {
      const index = new Map<string, number>()
      this.props.forEach((x, i) => {
        if (x === undefined) return
        if (index.has(x.key)) this.fail(`property ${x.key} is given twice`)
        index.set(x.key, i)
      })
      this.index = index
    } else {
      this.index = undefined
      for (let i = 1; i < this.size; i++)
        for (let j = 0; j < i; j++)
          if ((this.props[j] as Prop).key === (this.props[i] as Prop).key) {
            this.fail(`property ${(this.props[i] as Prop).key} is given twice`)
            break
          }
    }
  }
  /** Where `key` is among the properties not yet taken (the last one given, as a map keeps it), or -1. */
  private find(key: string): number {
    if (this.index !== undefined) {
      const i = this.index.get(key)
      return i === undefined || this.props[i] === undefined ? -1 : i
    }
    for (let i = this.props.length - 1; i >= 0; i--) if (this.props[i]?.key === key) return i
    return -1
  }
  fail(reason: string): void {
    if (this.problem === undefined) this.problem = `${this.opt.flag} ${this.head ?? ''}: ${reason}`.replace(' : ', ': ')
  }
  has(key: string): boolean {
    return this.find(key) >= 0
  }
  str(key: string): string | undefined {
    const i = this.find(key)
    if (i < 0) return undefined
    const x = this.props[i] as Prop
    // a key given twice is already a problem; taking it takes every copy, as the map did
    for (let j = 0; j < this.props.length && this.index === undefined; j++) if (this.props[j]?.key === key) this.drop(j)
    if (this.index !== undefined) this.drop(i)
    return x.value
  }
  private drop(i: number): void {
    if (this.props[i] === undefined) return
    this.props[i] = undefined
    this.size--
  }
  req(key: string): string {
    const v = this.str(key)
    if (v === undefined) this.fail(`property ${key} is missing`)
    return v ?? ''
  }
  bool(key: string): boolean | undefined {
    const v = this.str(key)
    if (v === undefined) return undefined
    const b = parseBool(v)
    if (b === undefined) this.fail(`property ${key}=${v} is not a boolean (on/off)`)
    return b
  }
  int(key: string, radix: 10 | 16 = 10): number | undefined {
    const v = this.str(key)
    if (v === undefined) return undefined
    const n = parseUInt(v, radix)
    if (n === undefined) this.fail(`property ${key}=${v} is not a ${radix === 16 ? 'hexadecimal ' : ''}number`)
    return n
  }
  fixed(key: string, allowed: ReadonlyArray<string>, required = false): void {
    const v = this.str(key)
    if (v === undefined ? required : !allowed.includes(v))
      this.fail(
        `property ${key}${v === undefined ? ' is missing' : `=${v}`}: the device model only has ${allowed.map((a) => `${key}=${a}`).join(' or ')}`,
      )
  }
  done<A>(a: A): E.Either<ParseError, A> {
    if (this.problem === undefined && this.size > 0)
      this.fail(`unknown property ${this.props.find((x) => x !== undefined)?.key ?? ''} (parse does not understand it)`)
    return this.problem === undefined
      ? E.right(a)
      : E.left(parseError({ position: this.opt.position + 1, token: this.opt.value, reason: this.problem }))
  }
}

/**
 * A reader for `opt` (at argv index `opt.position + 1`, its value) with properties `p`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reader = (opt: Option, p: Props): Reader => new OptionReader(opt, p)
