/** QEMU ids: byte-based truncation, MakeNameID, the id grammar and the seeded id source (Kata utils/utils.go). */
import { describe, expect, it } from 'vitest'
import { isQemuId, makeNameId, maxDevIdSize, seededIds, truncateBytes } from '../../../src/core/ids.ts'

const bytes = (s: string): number => new TextEncoder().encode(s).length

describe('truncateBytes', () => {
  it('returns short ASCII strings unchanged', () => {
    expect(truncateBytes('abc', 31)).toBe('abc')
    expect(truncateBytes('a'.repeat(31), 31)).toBe('a'.repeat(31))
  })
  it('cuts ASCII to exactly max bytes', () => {
    expect(truncateBytes('a'.repeat(40), 31)).toBe('a'.repeat(31))
    expect(truncateBytes('abc', 0)).toBe('')
  })
  it('counts bytes, not UTF-16 units', () => {
    // 'é' is 2 bytes: 15 of them fit in 31 bytes, not 31
    const r = truncateBytes('é'.repeat(20), 31)
    expect(r).toBe('é'.repeat(15))
    expect(bytes(r)).toBe(30)
  })
  it('never splits a multi-byte character', () => {
    expect(truncateBytes('ab€', 4)).toBe('ab') // € is 3 bytes: 2 + 3 > 4
    expect(truncateBytes('ab€', 5)).toBe('ab€')
    expect(truncateBytes('a😀b', 4)).toBe('a') // 😀 is 4 bytes (a surrogate pair)
    expect(truncateBytes('a😀b', 5)).toBe('a😀')
  })
  it('does not cut a short string with a multi-byte character that fits', () => {
    expect(truncateBytes('tag-ü', 31)).toBe('tag-ü')
  })
})

describe('makeNameId', () => {
  it('joins kind and id with a dash (Kata image ids are 22 bytes)', () => {
    const id = makeNameId('image', '0123456789abcdef', maxDevIdSize)
    expect(id).toBe('image-0123456789abcdef')
    expect(id.length).toBe(22)
  })
  it('cuts the result, not the id, to max bytes', () => {
    expect(makeNameId('char', 'x'.repeat(40), 31)).toBe(`char-${'x'.repeat(26)}`)
    expect(makeNameId('averyveryverylongkindnamethatislong', 'id', 31)).toBe('averyveryverylongkindnamethatis')
  })
  it('collides when two long ids share a prefix (MakeNameID has no uniqueness check)', () => {
    expect(makeNameId('fs', `${'a'.repeat(28)}1`, 31)).toBe(makeNameId('fs', `${'a'.repeat(28)}2`, 31))
  })
  it('never splits a UTF-8 character at the cut', () => {
    const id = makeNameId('fs', `${'a'.repeat(27)}é`, 31) // fs- (3) + 27 + é (2) = 32 bytes
    expect(id).toBe(`fs-${'a'.repeat(27)}`)
    expect(bytes(id)).toBe(30)
  })
  it('uses Kata maxDevIDSize = 31', () => expect(maxDevIdSize).toBe(31))
})

describe('isQemuId', () => {
  it('accepts a letter followed by letters, digits, - . _', () => {
    for (const s of ['a', 'serial0', 'pci-bridge-0', 'image-0123', 'a.b_c-d']) expect(isQemuId(s)).toBe(true)
  })
  it('rejects empty ids, a leading non-letter and other characters', () => {
    for (const s of ['', '0a', '-a', '_a', '.a', 'a,b', 'a b', 'a/b', 'é']) expect(isQemuId(s)).toBe(false)
  })
})

describe('seededIds', () => {
  it('gives 16 lowercase hex characters', () => {
    for (const k of ['image', 'iothread', 'virtio-fs-0', '']) expect(seededIds(7).hex16(k)).toMatch(/^[0-9a-f]{16}$/)
  })
  it('is a pure function of seed and key', () => {
    expect(seededIds(3).hex16('image')).toBe(seededIds(3).hex16('image'))
    const s = seededIds(3)
    expect(s.hex16('image')).toBe(s.hex16('image'))
  })
  it('separates keys and seeds', () => {
    expect(seededIds(1).hex16('image')).not.toBe(seededIds(1).hex16('iothread'))
    expect(seededIds(1).hex16('image')).not.toBe(seededIds(2).hex16('image'))
  })
})
