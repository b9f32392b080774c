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
import { utf8Length } from '../ids.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * A JSON Schema fragment (draft 2020-12), as plain data: what `schema.ts` emits for a codec.
 *
 * @since 0.2.0
 * @category model
 */
export type JsonSchema = { readonly [k: string]: unknown }

/**
 * A refined codec that also says what it accepts as JSON Schema, so the schema files are generated
 * from the codecs and never written twice (`schema.ts`).
 *
 * @since 0.2.0
 * @category codecs
 */
export class Refined<A> extends t.Type<A, A, unknown> {
  readonly _tag = 'Refined' as const
  constructor(
    name: string,
    is: (u: unknown) => u is A,
    readonly schema: JsonSchema,
  ) {
    super(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity)
  }
}

const refine = <A>(name: string, is: (u: unknown) => u is A, schema: JsonSchema): Refined<A> => new Refined(name, is, schema)

/** C0 control characters and DEL: never part of a path, id, tag or name. */
const controlChars = /[\x00-\x1f\x7f]/
/** The same, less the blanks Go's `strings.Fields` splits on (tab, newline, VT, FF, CR). */
const controlCharsButBlanks = /[\x00-\x08\x0e-\x1f\x7f]/
const noControl = '^[^\\u0000-\\u001f\\u007f]*$'

/** Whether a string holds a C0 control character or DEL. @since 0.2.0 @category utils */
export const hasControlChars = (s: string): boolean => controlChars.test(s)

/** An integer codec bounded by `min..max`. @since 0.2.0 @category codecs */
export const refineInt = (name: string, min: number, max: number): Refined<number> =>
  refine(name, (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max, {
    type: 'integer',
    minimum: min,
    maximum: max,
  })

/** Go's `int32`. @since 0.2.0 @category codecs */
export const Int32 = refineInt('integer (int32: -2147483648..2147483647)', -2147483648, 2147483647)
/** Go's `uint32`. @since 0.2.0 @category codecs */
export const UInt32 = refineInt('non-negative integer (uint32: 0..4294967295)', 0, 4294967295)
/** Go's `uint8`. @since 0.2.0 @category codecs */
export const UInt8 = refineInt('non-negative integer (uint8: 0..255)', 0, 255)

/** Any string without control characters. @since 0.2.0 @category codecs */
export const Text = refine('string without control characters', (u): u is string => typeof u === 'string' && !controlChars.test(u), {
  type: 'string',
  pattern: noControl,
})
/**
 * A string whose words are split on blanks (`kernel_params`, `machine_accelerators`): tabs and
 * newlines are separators there, other control characters (NUL first) are refused.
 *
 * @since 0.2.0
 * @category codecs
 */
export const SpacedText = refine(
  'string without control characters other than blanks',
  (u): u is string => typeof u === 'string' && !controlCharsButBlanks.test(u),
  {
    type: 'string',
    pattern: '^[^\\u0000-\\u0008\\u000e-\\u001f\\u007f]*$',
  },
)
/** @since 0.1.0 @category codecs */
export const NonEmptyString = refine(
  'non-empty string without control characters',
  (u): u is string => typeof u === 'string' && u.length > 0 && !controlChars.test(u),
  {
    type: 'string',
    minLength: 1,
    pattern: noControl,
  },
)
/** A JavaScript safe integer ≥ 0 (counts and sizes with no narrower Go field). @since 0.1.0 @category codecs */
export const UInt = refineInt('non-negative integer', 0, Number.MAX_SAFE_INTEGER)
/** @since 0.1.0 @category codecs */
export const PosInt = refineInt('positive integer', 1, Number.MAX_SAFE_INTEGER)
/** @since 0.1.0 @category codecs */
export const Int = refineInt('integer', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
/** @since 0.1.0 @category codecs */
export const Fd = refineInt('file descriptor (integer 0..65535)', 0, 65535)
/** @since 0.1.0 @category codecs */
export const Mac = refine(
  'MAC address (xx:xx:xx:xx:xx:xx)',
  (u): u is string => typeof u === 'string' && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(u),
  {
    type: 'string',
    pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$',
  },
)
/** @since 0.1.0 @category codecs */
export const Uuid = refine(
  'UUID',
  (u): u is string => typeof u === 'string' && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(u),
  {
    type: 'string',
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  },
)
/** PCI address `[dddd:]bb:ss.f`. @since 0.1.0 @category codecs */
export const Bdf = refine(
  'PCI address ([dddd:]bb:ss.f)',
  (u): u is string => typeof u === 'string' && /^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/.test(u),
  {
    type: 'string',
    pattern: '^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$',
  },
)
/** An absolute path without control characters (a newline would also break `--format lines`). @since 0.1.0 @category codecs */
export const AbsPath = refine(
  'absolute path without control characters',
  (u): u is string => typeof u === 'string' && u.startsWith('/') && !controlChars.test(u),
  {
    type: 'string',
    pattern: '^/[^\\u0000-\\u001f\\u007f]*$',
  },
)
/**
 * The directory of a sandbox's sockets: an absolute path without `=`. QEMU reads `-qmp unix:<path>`
 * with `path` as the implicit first option, so an `=` in the path would be taken as a key.
 *
 * @since 0.1.0
 * @category codecs
 */
export const SocketDir = refine('absolute path without = or control characters', (u): u is string => AbsPath.is(u) && !u.includes('='), {
  type: 'string',
  pattern: '^/[^=\\u0000-\\u001f\\u007f]*$',
})
/** A string safe inside a QEMU id (after a prefix such as `extra-9p-`): letters, digits, `-`, `.`, `_`. @since 0.1.0 @category codecs */
export const IdPart = refine('id (letters, digits, - . _)', (u): u is string => typeof u === 'string' && /^[A-Za-z0-9._-]+$/.test(u), {
  type: 'string',
  pattern: '^[A-Za-z0-9._-]+$',
})
/** A QEMU id used as is (QEMU's `id_wellformed`): a letter, then letters, digits, `-`, `.`, `_`. @since 0.1.0 @category codecs */
export const QemuId = refine(
  'QEMU id (a letter, then letters, digits, - . _)',
  (u): u is string => typeof u === 'string' && /^[A-Za-z][A-Za-z0-9._-]*$/.test(u),
  {
    type: 'string',
    pattern: '^[A-Za-z][A-Za-z0-9._-]*$',
  },
)
/** An id that also names a directory (the sandbox id in `/run/vc/vm/<id>/`): an `IdPart` other than `.` and `..`. @since 0.1.0 @category codecs */
export const PathSegment = refine(
  'id usable as a directory name (letters, digits, - . _; not . or ..)',
  (u): u is string => IdPart.is(u) && u !== '.' && u !== '..',
  {
    type: 'string',
    pattern: '^[A-Za-z0-9._-]+$',
    not: { enum: ['.', '..'] },
  },
)
/** A Linux interface name: 1–15 bytes, no `/`, `:`, whitespace or control characters (IFNAMSIZ). @since 0.1.0 @category codecs */
export const IfName = refine(
  'interface name (1-15 bytes, no / : whitespace or control characters)',
  (u): u is string => typeof u === 'string' && /^[^\s/:\x00-\x1f\x7f]{1,15}$/.test(u) && utf8Length(u) <= 15,
  // JSON Schema counts characters, not bytes: the decoder also checks the 15-byte limit
  { type: 'string', pattern: '^[^\\s/:\\u0000-\\u001f\\u007f]{1,15}$' },
)
/** A PCI vendor or device id as sysfs prints it (`0x1af4`). @since 0.1.0 @category codecs */
export const PciId = refine(
  'PCI id (0x followed by 1-4 hex digits)',
  (u): u is string => typeof u === 'string' && /^0x[0-9a-fA-F]{1,4}$/.test(u),
  {
    type: 'string',
    pattern: '^0x[0-9a-fA-F]{1,4}$',
  },
)

/** `t.union` of string literals with a readable name. @since 0.1.0 @category codecs */
export const oneOf = <A extends string>(values: ReadonlyArray<A>): Refined<A> =>
  refine(
    values.map((v) => JSON.stringify(v)).join(' | '),
    (u): u is A => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u),
    { enum: values },
  )

/**
 * `c`, or the empty string: katautils reads an empty string as "not set" for every key.
 *
 * @since 0.2.0
 * @category codecs
 */
export const orEmpty = <A extends string>(c: Refined<A>): Refined<A | ''> =>
  refine(`${c.name} or "" (not set)`, (u): u is A | '' => u === '' || c.is(u), { anyOf: [{ const: '' }, c.schema] })

/** One of a few integers (`gicVersion`). @since 0.2.0 @category codecs */
export const oneOfInts = <A extends number>(values: ReadonlyArray<A>): Refined<A> =>
  refine(values.join(' | '), (u): u is A => typeof u === 'number' && (values as ReadonlyArray<number>).includes(u), { enum: values })

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
