/**
 * Laws of `parse`: rendering what was parsed from a rendered plan gives the same argv in both
 * dialects (and from a shell line, and from a Kata `ps` line), and parsing arbitrary input never
 * throws — it answers a `ParseError` whose position names the offending argv token.
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseArgv, parseLine } from '../../src/core/parse/index.ts'
import { render } from '../../src/core/render.ts'
import { shellQuote } from '../../src/cli/io.ts'
import type { Plan } from '../../src/core/vm.ts'
import { corpus } from '../support/corpus.ts'

const dialects = ['govmm', 'qemu'] as const
const argvOf = (p: Plan, d: (typeof dialects)[number]): ReadonlyArray<string> | undefined => {
  const r = render(p, d)
  return E.isRight(r) ? [r.right.binary, ...r.right.args] : undefined
}
const reparse = (argv: ReadonlyArray<string>, d: (typeof dialects)[number]): ReadonlyArray<string> | string => {
  const parsed = parseArgv(argv)
  if (E.isLeft(parsed)) return JSON.stringify(parsed.left)
  return argvOf(parsed.right.plan, d) ?? 'render failed'
}

describe('render ∘ parse ∘ render = render', () => {
  for (const d of dialects) {
    it(`${d} dialect, argv`, () => {
      fc.assert(
        fc.property(corpus, (p) => {
          const argv = argvOf(p, d)
          fc.pre(argv !== undefined)
          expect(reparse(argv ?? [], d)).toEqual(argv)
          const parsed = parseArgv(argv ?? [])
          expect(E.isRight(parsed) && parsed.right.dialect).toBe(d)
        }),
        { numRuns: 300 },
      )
    })
    it(`${d} dialect, one shell-quoted line`, () => {
      fc.assert(
        fc.property(corpus, (p) => {
          const argv = argvOf(p, d)
          fc.pre(argv !== undefined)
          const parsed = parseLine((argv ?? []).map(shellQuote).join(' '))
          expect(E.isRight(parsed) ? argvOf(parsed.right.plan, d) : parsed.left).toEqual(argv)
        }),
        { numRuns: 150 },
      )
    })
  }
  it('govmm dialect, as ps shows it (unquoted, -append split into words)', () => {
    fc.assert(
      fc.property(corpus, (p) => {
        const argv = argvOf(p, 'govmm')
        fc.pre(argv !== undefined)
        const a = argv ?? []
        // ps cannot be undone when another value has blanks, or -append is empty
        fc.pre(a.every((w, i) => a[i - 1] === '-append' || !/\s/.test(w)) && a.every((w) => w !== ''))
        const parsed = parseLine(a.join(' '))
        expect(E.isRight(parsed) ? argvOf(parsed.right.plan, 'govmm') : parsed.left).toEqual(argv)
      }),
      { numRuns: 150 },
    )
  })
})

const flagWords = [
  '-device',
  '-machine',
  '-m',
  '-netdev',
  '-chardev',
  '-object',
  '-drive',
  '-fsdev',
  '-S',
  '-incoming',
  '-numa',
  '-qmp',
  '-smp',
  '-append',
  '-name',
]
const optionish = fc.oneof(
  fc.string(),
  fc.constantFrom(...flagWords),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'virtio-net-pci',
          'driver=vfio-pci',
          'id=x',
          'netdev=x',
          'bus=pci.0',
          'addr=0x1f',
          'devno=fe.0.0001',
          ',,',
          'server',
          'nowait',
          'tap',
          'socket',
          'memdev=dimm1',
          'q35',
          'romfile=',
        ),
        fc.string(),
      ),
      { maxLength: 6 },
    )
    .map((xs) => xs.join(',')),
)

const checkError = (argv: ReadonlyArray<string>, r: ReturnType<typeof parseArgv>): void => {
  if (E.isRight(r)) return
  expect(r.left._tag).toBe('ParseError')
  if (r.left._tag !== 'ParseError') return
  expect(r.left.position).toBeGreaterThanOrEqual(0)
  expect(r.left.position).toBeLessThanOrEqual(argv.length)
  expect(r.left.token).toBe(argv[r.left.position] ?? '')
  expect(r.left.reason.length).toBeGreaterThan(0)
}

describe('parsing never throws', () => {
  it('on arbitrary argv', () => {
    fc.assert(
      fc.property(fc.array(optionish, { maxLength: 20 }), (argv) => checkError(argv, parseArgv(argv))),
      { numRuns: 2000 },
    )
  })
  it('on arbitrary lines', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(optionish).map((xs) => xs.join(' ')),
        ),
        (line) => {
          const r = parseLine(line)
          expect(E.isRight(r) || r.left._tag === 'ParseError').toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })
  it('on rendered argv with one token replaced', () => {
    fc.assert(
      fc.property(corpus, fc.nat(), optionish, (p, i, junk) => {
        const argv = argvOf(p, 'qemu') ?? argvOf(p, 'govmm')
        fc.pre(argv !== undefined)
        const a = [...(argv ?? [])]
        a[i % a.length] = junk
        checkError(a, parseArgv(a))
      }),
      { numRuns: 1000 },
    )
  })
})
