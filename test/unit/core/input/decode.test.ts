/** io-ts helpers: refined codecs, error paths, bounded value previews, unknown keys. */
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import {
  AbsPath,
  Bdf,
  Fd,
  IdPart,
  IfName,
  Int,
  Mac,
  NonEmptyString,
  PathSegment,
  PciId,
  PosInt,
  QemuId,
  SocketDir,
  UInt,
  Uuid,
  decodeWith,
  isRecord,
  oneOf,
  problems,
  show,
  unknownKeys,
} from '../../../../src/core/input/decode.ts'
import { unsafeLeft, unsafeRight } from '../../../support/amd64-fixtures.ts'

describe('refined codecs', () => {
  const cases: ReadonlyArray<readonly [string, { readonly is: (u: unknown) => boolean }, ReadonlyArray<unknown>, ReadonlyArray<unknown>]> =
    [
      ['NonEmptyString', NonEmptyString, ['a'], ['', 1, null]],
      ['UInt', UInt, [0, 7, 2 ** 53 - 1], [-1, 1.5, 2 ** 53, '1', NaN, Infinity]],
      ['PosInt', PosInt, [1], [0, -1, 0.5]],
      ['Int', Int, [-3, 0, 3], [0.1, '1']],
      ['Fd', Fd, [0, 65535], [-1, 65536, 1.5]],
      ['Mac', Mac, ['02:42:AC:11:00:02'], ['02:42:ac:11:00', '02-42-ac-11-00-02', '02:42:ac:11:00:0g']],
      ['Uuid', Uuid, ['4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11'], ['4e2b2bb85fc54d4b9d3e7a9d1c0b7b11', '']],
      ['Bdf', Bdf, ['02:10.0', '0000:02:10.7'], ['02:10.8', '2:10.0', '0000:02:10']],
      ['AbsPath', AbsPath, ['/', '/a,b'], ['a', '', '/a\0b']],
      ['IdPart', IdPart, ['0a', 'a.b-c_d'], ['', 'a,b', 'a b', 'é']],
      ['QemuId', QemuId, ['a', 'drive-0'], ['0a', '-a', '', 'a,b']],
      ['PathSegment', PathSegment, ['a', '.a', '...'], ['.', '..', 'a/b', '']],
      ['IfName', IfName, ['tap0_kata', 'a'.repeat(15)], ['', 'a'.repeat(16), 'a b', 'a/b', 'a:b', 'ééééééééé']],
      ['SocketDir', SocketDir, ['/run/vc/vm', '/a,b'], ['/a=b', 'run', '']],
      ['PciId', PciId, ['0x8086', '0x1'], ['8086', '0x12345', '0xg']],
    ]
  for (const [name, codec, good, bad] of cases) {
    it(`${name} accepts ${JSON.stringify(good)} and rejects the rest`, () => {
      for (const g of good) expect(codec.is(g)).toBe(true)
      for (const b of bad) expect(codec.is(b)).toBe(false)
    })
  }
  it('oneOf names the choices', () => {
    const c = oneOf(['a', 'b'] as const)
    expect(c.name).toBe('"a" | "b"')
    expect(c.is('a')).toBe(true)
    expect(c.is('c')).toBe(false)
  })
})

describe('decodeWith / problems', () => {
  const C = t.intersection([t.type({ a: UInt }), t.partial({ b: t.array(Mac) })])
  it('decodes good values', () => expect(unsafeRight(decodeWith(C)({ a: 1 }))).toEqual({ a: 1 }))
  it('gives dotted paths prefixed by `at`, skipping intersection members', () => {
    expect(unsafeLeft(decodeWith(C, 'x.y')({ a: -1, b: ['m'] }))).toEqual({
      _tag: 'InvalidInput',
      problems: [
        { path: 'x.y.a', expected: 'non-negative integer', actual: '-1' },
        { path: 'x.y.b.0', expected: 'MAC address (xx:xx:xx:xx:xx:xx)', actual: '"m"' },
      ],
    })
  })
  it('reports each path/expectation once', () => {
    const r = C.decode({ a: 'x' })
    if (r._tag === 'Right') throw new Error('expected failure')
    expect(problems([...r.left, ...r.left])).toHaveLength(1)
  })
})

describe('show', () => {
  it('renders JSON-like previews', () => {
    expect(show(undefined)).toBe('nothing (missing)')
    expect(show('a')).toBe('"a"')
    expect(show(null)).toBe('null')
    expect(show([1, 'x'])).toBe('[1,"x"]')
    expect(show({ a: 1 })).toBe('{"a":1}')
    expect(show(5n)).toBe('5n')
    expect(show(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"')
    expect(show(new Date(NaN))).toBe('Invalid Date')
    expect(show(Object.create(null))).toBe('{}')
    expect(show(Symbol('s'))).toBe('a symbol')
  })
  it('stays short for big, wide and deep values', () => {
    let deep: unknown = 0
    for (let i = 0; i < 200_000; i++) deep = { k: deep }
    for (const v of [
      deep,
      'x'.repeat(1e6),
      Array.from({ length: 1e5 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
    ])
      expect(show(v).length).toBeLessThanOrEqual(81)
    expect(show([1, 2, 3, 4, 5])).toBe('[1,2,3,4,…]')
    expect(show({ a: { b: { c: 1 } } })).toBe('{"a":{"b":{…}}}')
  })
})

describe('unknownKeys / isRecord', () => {
  it('lists keys not known, with their path', () => {
    expect(unknownKeys({ a: 1, z: 2 }, ['a'], 'top')).toEqual(['unknown key top.z ignored'])
    expect(unknownKeys({ z: 2 }, [], '')).toEqual(['unknown key z ignored'])
    expect(unknownKeys([1], [], '')).toEqual([])
  })
  it('isRecord is true only for non-array objects', () => {
    expect([{}, Object.create(null)].map(isRecord)).toEqual([true, true])
    expect([[], null, 1, 'x', undefined].map(isRecord)).toEqual([false, false, false, false, false])
  })
})
