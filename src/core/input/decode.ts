/**
 * io-ts plumbing shared by the input codecs: small refined codecs with readable names, and the
 * conversion of io-ts errors into `InvalidInput` problems that name the field path
 * (`devices.2.mac`) and what was expected there. Decoding never throws.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { invalidInput, type FieldProblem, type InvalidInput } from '../errors.ts'

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
/**
 * The directory of a sandbox's sockets: an absolute path without `=`. QEMU reads `-qmp unix:<path>`
 * with `path` as the implicit first option, so an `=` in the path would be taken as a key.
 *
 * @since 0.1.0
 * @category codecs
 */
export const SocketDir = refine('absolute path without =', (u): u is string => AbsPath.is(u) && !u.includes('='))
/** A string safe inside a QEMU id (after a prefix such as `extra-9p-`): letters, digits, `-`, `.`, `_`. @since 0.1.0 @category codecs */
export const IdPart = refine('id (letters, digits, - . _)', (u): u is string => typeof u === 'string' && /^[A-Za-z0-9._-]+$/.test(u))
/** A QEMU id used as is (QEMU's `id_wellformed`): a letter, then letters, digits, `-`, `.`, `_`. @since 0.1.0 @category codecs */
export const QemuId = refine('QEMU id (a letter, then letters, digits, - . _)', (u): u is string => typeof u === 'string' && /^[A-Za-z][A-Za-z0-9._-]*$/.test(u))
/** An id that also names a directory (the sandbox id in `/run/vc/vm/<id>/`): an `IdPart` other than `.` and `..`. @since 0.1.0 @category codecs */
export const PathSegment = refine('id usable as a directory name (letters, digits, - . _; not . or ..)', (u): u is string => IdPart.is(u) && u !== '.' && u !== '..')
/** A Linux interface name: 1–15 bytes, no `/`, `:` or whitespace (IFNAMSIZ). @since 0.1.0 @category codecs */
export const IfName = refine('interface name (1-15 bytes, no / : or whitespace)', (u): u is string => typeof u === 'string' && /^[^\s/:]{1,15}$/.test(u) && new TextEncoder().encode(u).length <= 15)
/** A PCI vendor or device id as sysfs prints it (`0x1af4`). @since 0.1.0 @category codecs */
export const PciId = refine('PCI id (0x followed by 1-4 hex digits)', (u): u is string => typeof u === 'string' && /^0x[0-9a-fA-F]{1,4}$/.test(u))

/** `t.union` of string literals with a readable name. @since 0.1.0 @category codecs */
export const oneOf = <A extends string>(values: ReadonlyArray<A>): t.Type<A, A, unknown> =>
  refine(values.map((v) => JSON.stringify(v)).join(' | '), (u): u is A => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u))

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s)

const preview = (u: unknown, depth: number): string => {
  switch (typeof u) {
    case 'string':
      return JSON.stringify(clip(u, 80))
    case 'number':
    case 'boolean':
      return String(u)
    case 'bigint':
      return `${u}n`
    case 'undefined':
      return 'undefined'
    case 'symbol':
      return 'a symbol'
    case 'function':
      return 'a function'
  }
  if (u === null) return 'null'
  if (u instanceof Date) return Number.isNaN(u.getTime()) ? 'Invalid Date' : JSON.stringify(u.toISOString())
  if (depth >= 2) return Array.isArray(u) ? '[…]' : '{…}'
  if (Array.isArray(u)) {
    const items = Array.from(u.slice(0, 4), (x) => preview(x, depth + 1))
    return `[${items.join(',')}${u.length > 4 ? ',…' : ''}]`
  }
  const keys = Object.keys(u as object)
  const items = keys.slice(0, 4).map((k) => `${JSON.stringify(clip(k, 40))}:${preview((u as Record<string, unknown>)[k], depth + 1)}`)
  return `{${items.join(',')}${keys.length > 4 ? ',…' : ''}}`
}

/**
 * A short, bounded, never-throwing rendering of a decoded value for error messages: JSON-like,
 * at most two levels deep and about 80 characters (BigInt, symbols, sparse arrays and
 * null-prototype objects included).
 *
 * @since 0.1.0
 * @category errors
 */
export const show = (u: unknown): string => (u === undefined ? 'nothing (missing)' : clip(preview(u, 0), 80))

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
  (u: unknown): E.Either<InvalidInput, A> => {
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
