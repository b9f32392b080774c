/**
 * QEMU ids: Kata's `MakeNameID` (`virtcontainers/utils/utils.go`) and 31-byte truncation, the QEMU id grammar, and
 * the injected source of the ids the original drew at random. The core never draws randomness:
 * a seeded source gives the same plan every time; the effects layer supplies a crypto one.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where "random" ids come from: 16 lowercase hex characters per key. @since 0.1.0 @category model */
export interface IdSource {
  /** The same key always gives the same id for one source instance. */
  readonly hex16: (key: string) => string
}

/** Kata's `maxDevIDSize`. @since 0.1.0 @category model */
export const maxDevIdSize = 31

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const mix32 = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const hash32 = (s: string, seed: number): number => {
  let h = seed >>> 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return mix32(h)
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0')

/**
 * A deterministic id source: a pure function of the seed and the key.
 *
 * @example
 * import { seededIds } from 'qemu-plan'
 * assert.strictEqual(seededIds(1).hex16('iothread'), seededIds(1).hex16('iothread'))
 * assert.strictEqual(seededIds(1).hex16('iothread').length, 16)
 * @since 0.1.0
 * @category constructors
 */
export const seededIds = (seed: number): IdSource => ({
  hex16: (key) => hex8(hash32(key, seed ^ 0x9e3779b9)) + hex8(hash32(key, mix32(seed + 0x7f4a7c15))),
})

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The length of `s` in UTF-8 bytes, counted without encoding it (a lone surrogate counts 3, as
 * `TextEncoder` writes U+FFFD for it).
 *
 * @since 0.3.0
 * @category utils
 */
export const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/**
 * Cut a string to at most `max` UTF-8 bytes (Kata cuts bytes; we never split a character).
 *
 * @since 0.1.0
 * @category utils
 */
export const truncateBytes = (s: string, max: number): string => {
  // a UTF-16 unit is at most 3 UTF-8 bytes, so most ids are known to fit without counting
  if (s.length * 3 <= max || (s.length <= max && utf8Length(s) <= max)) return s
  let bytes = 0
  let out = ''
  for (const ch of s) {
    const n = utf8Length(ch)
    if (bytes + n > max) break
    bytes += n
    out += ch
  }
  return out
}

/**
 * `kind-id` cut to `max` bytes.
 *
 * @see kata utils.MakeNameID
 * @example
 * import { makeNameId } from 'qemu-plan'
 * assert.strictEqual(makeNameId('image', '0123456789abcdef', 31), 'image-0123456789abcdef')
 * @since 0.1.0
 * @category utils
 */
export const makeNameId = (kind: string, id: string, max: number): string => truncateBytes(`${kind}-${id}`, max)

/** QEMU's id grammar: a letter, then letters, digits, `-`, `.` or `_`. @since 0.1.0 @category utils */
export const isQemuId = (s: string): boolean => /^[A-Za-z][A-Za-z0-9._-]*$/.test(s)
