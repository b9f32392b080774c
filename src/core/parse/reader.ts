/**
 * A reader over one option's properties: each `take` consumes a property, the first problem is
 * kept as a `ParseError` naming the option's argv token, and `done` refuses properties nobody took
 * (the device model could not represent them, so dropping them would change the VM).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseError, type ParseError } from '../errors.ts'
import { forEachOpt } from '../opts.ts'
import type { Option, Props } from './options.ts'

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
 * The reader of one option: the properties not yet taken, methods on the prototype. The
 * properties are one flat array of keys and values (a key at 2i, its value at 2i + 1; a taken
 * key is `undefined`), filled straight from the option string: no object per property and no
 * copy, which is most of what parsing a large command line would otherwise allocate. A typical
 * option is searched as a short list and a long adversarial one through a map, so no input is
 * quadratic.
 */
class OptionReader implements Reader {
  private problem: string | undefined = undefined
  private readonly index: Map<string, number> | undefined
  private size: number
  constructor(
    private readonly opt: Option,
    readonly head: string | undefined,
    /** Keys (`undefined` once taken) and values, interleaved, in option order. */
    private readonly kv: Array<string | undefined>,
  ) {
    this.size = kv.length >> 1
    if (this.size > listed) {
      const index = new Map<string, number>()
      for (let i = 0; i < kv.length; i += 2) {
        const key = kv[i] as string
        if (index.has(key)) this.fail(`property ${key} is given twice`)
        index.set(key, i)
      }
      this.index = index
    } else {
      this.index = undefined
      for (let i = 2; i < kv.length; i += 2)
        for (let j = 0; j < i; j += 2)
          if (kv[j] === kv[i]) {
            this.fail(`property ${kv[i] as string} is given twice`)
            break
          }
    }
  }
  /** Where `key` is among the keys not yet taken (the last one given, as a map keeps it), or -1. */
  private find(key: string): number {
    if (this.index !== undefined) {
      const i = this.index.get(key)
      return i === undefined || this.kv[i] === undefined ? -1 : i
    }
    for (let i = this.kv.length - 2; i >= 0; i -= 2) if (this.kv[i] === key) return i
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
    const v = this.kv[i + 1] as string
    // a key given twice is already a problem; taking it takes every copy, as the map did
    if (this.index !== undefined) this.drop(i)
    else for (let j = 0; j < this.kv.length; j += 2) if (this.kv[j] === key) this.drop(j)
    return v
  }
  private drop(i: number): void {
    if (this.kv[i] === undefined) return
    this.kv[i] = undefined
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
      this.fail(`unknown property ${this.kv.find((x, i) => i % 2 === 0 && x !== undefined) ?? ''} (parse does not understand it)`)
    return this.problem === undefined
      ? E.right(a)
      : E.left(parseError({ position: this.opt.position + 1, token: this.opt.value, reason: this.problem }))
  }
}

/**
 * A reader of `opt`'s option string (at argv index `opt.position + 1`), read as `parseProps`
 * reads it: `implied` is the key of the first element (`driver`, `type` …), which is the head.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reader = (opt: Option, implied: string | undefined): Reader => {
  let head: string | undefined
  const kv: Array<string | undefined> = []
  forEachOpt(opt.value, (k, v, i) => {
    if (v === undefined && i === 0 && implied !== undefined) head = k
    else if (v !== undefined && implied !== undefined && k === implied && head === undefined) head = v
    else if (v !== undefined) kv.push(k, v)
    else if (k.startsWith('no') && k.length > 2) kv.push(k.slice(2), 'off')
    else kv.push(k, 'on')
  })
  return new OptionReader(opt, head, kv)
}

/**
 * A reader of `opt` with a head and properties the caller parsed (`-qmp`'s compat form).
 *
 * @since 0.3.0
 * @category constructors
 */
export const readerOfProps = (opt: Option, p: Props): Reader =>
  new OptionReader(
    opt,
    p.head,
    p.props.flatMap((x) => [x.key, x.value]),
  )
