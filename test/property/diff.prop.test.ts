/**
 * Laws of `diff`: diff(x, x) is empty; shuffling what QEMU ignores (option order, property order,
 * explicitly placed devices) keeps it empty; and after an arbitrary one-property mutation the diff
 * is empty exactly when an independent canonical form of the two argv (sorted properties, sorted
 * options, QEMU-placed devices kept in order) is equal.
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffArgv, formatDiff, isEmpty } from '../../src/core/diff/index.ts'
import { parseOpts } from '../../src/core/opts.ts'
import { parseArgv } from '../../src/core/parse/index.ts'
import { parseBool } from '../../src/core/parse/reader.ts'
import { render } from '../../src/core/render.ts'
import type { Plan } from '../../src/core/vm.ts'
import { corpus } from '../support/corpus.ts'

const dialect = fc.constantFrom('govmm' as const, 'qemu' as const)
const argvOf = (p: Plan, d: 'govmm' | 'qemu'): ReadonlyArray<string> | undefined => {
  const r = render(p, d)
  return E.isRight(r) ? [r.right.binary, ...r.right.args] : undefined
}
const bare = new Set(['-no-user-config', '-nodefaults', '-nographic', '-daemonize', '-S'])
const optsFlags = new Set(['-device', '-drive', '-netdev', '-chardev', '-fsdev', '-object', '-machine', '-m', '-smp', '-numa', '-rtc'])

/** argv → [binary, groups of [flag] or [flag, value]], `-S -incoming defer` kept as one group. */
const groups = (argv: ReadonlyArray<string>): Array<Array<string>> => {
  const out: Array<Array<string>> = []
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i] as string
    if (w === '-S' && argv[i + 1] === '-incoming') {
      out.push(['-S', '-incoming', argv[i + 2] as string])
      i += 2
    } else if (bare.has(w)) out.push([w])
    else out.push([w, argv[++i] as string])
  }
  return out
}

/** Raw elements of an option string, split at single commas (`,,` stays inside). */
const elements = (s: string): Array<string> => splitRaw(s)
const splitRaw = (s: string): Array<string> => {
  const out: Array<string> = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',' && s[i + 1] === ',') {
      cur += ',,'
      i++
    } else if (s[i] === ',') {
      out.push(cur)
      cur = ''
    } else cur += s[i]
  }
  out.push(cur)
  return out
}
const implicit = (g: ReadonlyArray<string>): boolean =>
  (g[0] === '-device' && !/(^|,)(bus|devno)=/.test(g[1] ?? '')) || (g[0] === '-device' && /(^|,)devno=(,|$)/.test(g[1] ?? ''))

/** An equivalent argv: options shuffled (QEMU-placed devices keep their relative order), properties shuffled. */
const shuffled = (argv: ReadonlyArray<string>, seed: number): ReadonlyArray<string> => {
  let s = seed >>> 0
  const rnd = (n: number): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n
  const shuffle = <A>(xs: Array<A>): Array<A> => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rnd(i + 1)
      ;[xs[i], xs[j]] = [xs[j] as A, xs[i] as A]
    }
    return xs
  }
  const gs = groups(argv)
  const fixed = gs.filter(implicit)
  let k = 0
  const order = shuffle([...gs]).map((g) => (implicit(g) ? (fixed[k++] as Array<string>) : g))
  return [
    argv[0] as string,
    ...order.flatMap((g) => {
      if (g.length !== 2 || !optsFlags.has(g[0] as string)) return g
      const [head, ...rest] = elements(g[1] as string)
      const keyed = head?.includes('=') && g[0] !== '-m' && g[0] !== '-smp'
      // a bare element first would become the implied key (QEMU reads `vhostforce,type=…` as type=vhostforce)
      const bareLast = (xs: Array<string>): Array<string> => [...xs.filter((x) => x.includes('=')), ...xs.filter((x) => !x.includes('='))]
      return [g[0] as string, (keyed ? bareLast(shuffle([head as string, ...rest])) : [head as string, ...shuffle(rest)]).join(',')]
    }),
  ]
}

/** An independent canonical form: sorted options with sorted, spelling-folded properties; QEMU-placed devices in order. */
/** Properties QEMU reads as booleans; any other value (a mount tag `no`, a path `off`) is a string. */
const boolKeys = new Set([
  'disable-modern',
  'shpc',
  'scsi',
  'config-wce',
  'share-rw',
  'server',
  'wait',
  'nowait',
  'mq',
  'kernel_irqchip',
  'nvdimm',
  'usb',
  'share',
  'prealloc',
  'vhost',
  'vhostforce',
  'mem-lock',
  'mlock',
  'cap-cfpc',
  'cap-sbbc',
  'cap-ibs',
])

const canonical = (argv: ReadonlyArray<string>): string => {
  const norm = (flag: string, v: string): string => {
    if (!optsFlags.has(flag)) return v
    const all = parseOpts(v)
    const implied = all.findIndex(
      ([k, x], i) => (i === 0 && x === undefined) || (['driver', 'type', 'qom-type'].includes(k) && x !== undefined),
    )
    const head: readonly [string, string | undefined] | undefined =
      implied < 0 ? undefined : [all[implied]?.[1] ?? all[implied]?.[0] ?? '', undefined]
    const rest = all.filter((_, i) => i !== implied)
    const fold = ([k, x]: readonly [string, string | undefined]): string => {
      if (x === undefined) return `${k}=on`
      if (k === 'addr') return `addr=${parseInt(x, 16)}`
      const b = boolKeys.has(k) ? parseBool(x) : undefined
      return `${k}=${b === undefined ? x : b ? 'on' : 'off'}`
    }
    const h = head === undefined ? '' : head[1] === undefined ? head[0] : fold(head)
    return [h, ...rest.map(fold).sort()].join(',')
  }
  const gs = groups(argv).map((g) => (g.length === 2 ? [g[0] as string, norm(g[0] as string, g[1] as string)] : g))
  return JSON.stringify([
    argv[0],
    gs
      .filter((g) => !implicit(g))
      .map((g) => g.join(' '))
      .sort(),
    gs.filter(implicit).map((g) => g.join(' ')),
  ])
}

const emptyDiff = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean | string => {
  const d = diffArgv(a, b)
  return E.isRight(d) ? isEmpty(d.right) : JSON.stringify(d.left)
}

describe('diff laws', () => {
  it('diff(x, x) is empty', () => {
    fc.assert(
      fc.property(corpus, dialect, (p, d) => {
        const a = argvOf(p, d)
        fc.pre(a !== undefined)
        expect(emptyDiff(a ?? [], a ?? [])).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
  it('reordering QEMU ignores leaves the diff empty', () => {
    fc.assert(
      fc.property(corpus, dialect, fc.nat(), (p, d, seed) => {
        const a = argvOf(p, d)
        fc.pre(a !== undefined)
        const b = shuffled(a ?? [], seed)
        expect(canonical(b)).toBe(canonical(a ?? []))
        const r = diffArgv(a ?? [], b)
        expect(E.isRight(r) ? (isEmpty(r.right) ? true : formatDiff(r.right)) : r.left).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
  it('after one mutation, the diff is empty iff the canonical argv are equal', () => {
    const mutation = fc.record({
      group: fc.nat(),
      element: fc.nat(),
      value: fc.constantFrom('on', 'off', 'true', '0x3', '3', 'zz', '/other', '2048M', ''),
      drop: fc.boolean(),
    })
    let differing = 0
    fc.assert(
      fc.property(corpus, dialect, mutation, (p, d, m) => {
        const a = argvOf(p, d)
        fc.pre(a !== undefined)
        const gs = groups(a ?? [])
        const i = m.group % gs.length
        const g = gs[i] as Array<string>
        let mutated: Array<Array<string>>
        if (m.drop) mutated = gs.filter((_, j) => j !== i)
        else {
          fc.pre(g.length === 2 && optsFlags.has(g[0] as string))
          const els = elements(g[1] as string)
          const e = m.element % els.length
          const el = els[e] as string
          els[e] = el.includes('=') ? `${el.slice(0, el.indexOf('='))}=${m.value}` : m.value
          mutated = gs.map((x, j) => (j === i ? [g[0] as string, els.join(',')] : x))
        }
        const b = [a?.[0] as string, ...mutated.flat()]
        fc.pre(E.isRight(parseArgv(b)))
        const same = canonical(b) === canonical(a ?? [])
        if (!same) differing++
        expect(emptyDiff(a ?? [], b)).toBe(same)
      }),
      { numRuns: 400 },
    )
    expect(differing).toBeGreaterThan(20)
  })
})
