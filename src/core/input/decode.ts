/**
 * io-ts plumbing shared by the input codecs: small refined codecs with readable names, and the
 * conversion of io-ts errors into `InvalidInput` problems that name the field path
 * (`devices.2.mac`) and what was expected there. Decoding never throws.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { invalidInput, type FieldProblem, type PlanError } from '../errors.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const refine = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity)

/** @since 0.1.0 @category codecs */
export const NonEmptyString = refine('non-empty string', (u): u is string => typeof u === 'string' && u.length > 0)
/** @since 0.1.0 @category codecs */
export const UInt = refine('non-negative integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0)
/** @since 0.1.0 @category codecs */
export const PosInt = refine('positive integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0)
/** @since 0.1.0 @category codecs */
export const Int = refine('integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u))
/** @since 0.1.0 @category codecs */
export const Fd = refine('file descriptor (integer 0..65535)', (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 65535)
/** @since 0.1.0 @category codecs */
export const Mac = refine('MAC address (xx:xx:xx:xx:xx:xx)', (u): u is string => typeof u === 'string' && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(u))
/** @since 0.1.0 @category codecs */
export const Uuid = refine('UUID', (u): u is string => typeof u === 'string' && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(u))
/** PCI address `[dddd:]bb:ss.f`. @since 0.1.0 @category codecs */
export const Bdf = refine('PCI address ([dddd:]bb:ss.f)', (u): u is string => typeof u === 'string' && /^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/.test(u))
/** @since 0.1.0 @category codecs */
export const AbsPath = refine('absolute path', (u): u is string => typeof u === 'string' && u.startsWith('/') && !u.includes('\0'))
/** A string safe in a QEMU id: a letter, then letters, digits, `-`, `.`, `_`. @since 0.1.0 @category codecs */
export const IdPart = refine('id (letters, digits, - . _)', (u): u is string => typeof u === 'string' && /^[A-Za-z0-9._-]+$/.test(u))

/** `t.union` of string literals with a readable name. @since 0.1.0 @category codecs */
export const oneOf = <A extends string>(values: ReadonlyArray<A>): t.Type<A, A, unknown> =>
  refine(values.map((v) => JSON.stringify(v)).join(' | '), (u): u is A => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u))

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing (missing)'
  const s = JSON.stringify(u) ?? String(u)
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}

const isComposite = (ty: t.Decoder<unknown, unknown>): boolean =>
  ty instanceof t.IntersectionType || ty instanceof t.UnionType || ty instanceof t.ExactType || ty instanceof t.RefinementType

/** io-ts errors → problems with dotted paths, prefixed by `at`. @since 0.1.0 @category errors */
export const problems = (errors: t.Errors, at = ''): ReadonlyArray<FieldProblem> => {
  const out: Array<FieldProblem> = []
  const seen = new Set<string>()
  for (const e of errors) {
    const keys: Array<string> = at ? [at] : []
    e.context.forEach((c, i) => {
      const parent = e.context[i - 1]
      if (c.key === '' || (parent && isComposite(parent.type))) return
      keys.push(c.key)
    })
    const last = e.context[e.context.length - 1]
    const p = { path: keys.join('.'), expected: last ? last.type.name : 'a value', actual: show(e.value) }
    const k = `${p.path}|${p.expected}`
    if (!seen.has(k)) {
      seen.add(k)
      out.push(p)
    }
  }
  return out
}

/** Decode with a codec, turning failures into `InvalidInput`. @since 0.1.0 @category codecs */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>, at = '') =>
  (u: unknown): E.Either<PlanError, A> => {
    const r = codec.decode(u)
    return E.isRight(r) ? E.right(r.right) : E.left(invalidInput({ problems: problems(r.left, at) }))
  }

/** Keys of `u` that `known` does not list, as warnings naming their path. @since 0.1.0 @category utils */
export const unknownKeys = (u: unknown, known: ReadonlyArray<string>, at: string): ReadonlyArray<string> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)
    ? Object.keys(u)
        .filter((k) => !known.includes(k))
        .map((k) => `unknown key ${at ? `${at}.` : ''}${k} ignored`)
    : []

/** Problem for a value that is not an object. @since 0.1.0 @category utils */
export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
