/**
 * Byte-based id truncation (Kata `MakeNameID`, `virtcontainers/utils/utils.go`): the result is the longest prefix of
 * whole characters that fits in `max` UTF-8 bytes — never a split character.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeNameId, truncateBytes, utf8Length } from '../../src/core/ids.ts'

const enc = new TextEncoder()
const bytes = (s: string): number => enc.encode(s).length
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 60 }),
)

describe('utf8Length', () => {
  it('is the length TextEncoder gives, lone surrogates included', () => {
    const any = fc.oneof(
      text,
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }).map((cs) => String.fromCharCode(...cs)),
    )
    fc.assert(
      fc.property(any, (s) => utf8Length(s) === bytes(s)),
      { numRuns: 2000 },
    )
  })
})

describe('truncateBytes', () => {
  it('is the longest whole-character prefix within max bytes', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 64 }), (s, max) => {
        const t = truncateBytes(s, max)
        expect(s.startsWith(t)).toBe(true)
        expect(bytes(t)).toBeLessThanOrEqual(max)
        const chars = [...s]
        const n = [...t].length
        // whole characters only: the cut falls between two code points
        expect(chars.slice(0, n).join('')).toBe(t)
        // maximal: the next character would not fit
        if (n < chars.length) expect(bytes(t) + bytes(chars[n] as string)).toBeGreaterThan(max)
        if (bytes(s) <= max) expect(t).toBe(s)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('makeNameId', () => {
  it('is kind-id cut to max bytes', () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 1, max: 40 }), (kind, id, max) => {
        expect(makeNameId(kind, id, max)).toBe(truncateBytes(`${kind}-${id}`, max))
      }),
      { numRuns: 500 },
    )
  })
})
