/**
 * The decoders never throw. Thousands of random values (JSON and arbitrary JS values) and mutated
 * valid documents (the golden inputs and the bundled example: keys deleted, types changed,
 * garbage inserted, values nested deeply) go through `decodeConfig` and `decodeSandbox`. Every
 * failure is a typed `InvalidInput` / `InvalidConfig` whose path names the mutated place (or a
 * field under it, or for cross-field rules a sibling); every success plans and renders without
 * throwing.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { planSandbox } from '../../src/arch/planner.ts'
import { toMessage, type PlanError } from '../../src/core/errors.ts'
import { seededIds } from '../../src/core/ids.ts'
import { QemuTable, decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import { render } from '../../src/core/render.ts'

// -------------------------------------------------------------------------------------
// seeds: every golden input and the bundled example
// -------------------------------------------------------------------------------------

interface Seed {
  readonly name: string
  readonly config: unknown
  readonly sandbox: unknown
  readonly imageSizeBytes: number | undefined
}

const repo = join(import.meta.dirname, '..', '..')
const goldenRoot = join(repo, 'test', 'golden')
const seeds: ReadonlyArray<Seed> = [
  ...readdirSync(goldenRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(goldenRoot, d.name))
        .filter((f) => f.endsWith('.input.json'))
        .map((f) => {
          const input = JSON.parse(readFileSync(join(goldenRoot, d.name, f), 'utf8')) as {
            config: unknown
            sandbox: unknown
            imageSizeBytes?: number
          }
          return { name: `${d.name}/${f}`, config: input.config, sandbox: input.sandbox, imageSizeBytes: input.imageSizeBytes }
        }),
    ),
  {
    name: 'examples',
    config: parseToml(readFileSync(join(repo, 'examples', 'configuration.toml'), 'utf8')),
    sandbox: JSON.parse(readFileSync(join(repo, 'examples', 'sandbox.json'), 'utf8')),
    imageSizeBytes: 134217728,
  },
]

// -------------------------------------------------------------------------------------
// documents as trees: paths and mutations
// -------------------------------------------------------------------------------------

type Path = ReadonlyArray<string>

const isObj = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const clone = (u: unknown): unknown => structuredClone(u)

/** Every path to a node down to depth 64 (iterative: mutated documents can be nested 20 000 deep). */
const paths = (u: unknown): ReadonlyArray<Path> => {
  const out: Array<Path> = []
  const todo: Array<readonly [unknown, Path]> = [[u, []]]
  while (todo.length > 0) {
    const [v, at] = todo.pop() as readonly [unknown, Path]
    out.push(at)
    if (at.length >= 64) continue
    if (Array.isArray(v)) v.forEach((x, i) => todo.push([x, [...at, String(i)]]))
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) todo.push([x, [...at, k]])
  }
  return out
}

const get = (u: unknown, p: Path): unknown =>
  p.reduce<unknown>((acc, k) => (Array.isArray(acc) ? acc[Number(k)] : isObj(acc) ? acc[k] : undefined), u)

/** Replace (or with `undefined` delete) the node at a non-root path, in place. */
const setAt = (doc: unknown, p: Path, v: unknown | typeof DELETE): void => {
  const parent = get(doc, p.slice(0, -1))
  const k = p[p.length - 1] as string
  if (Array.isArray(parent)) {
    if (v === DELETE) parent.splice(Number(k), 1)
    else parent[Number(k)] = v
  } else if (isObj(parent)) {
    if (v === DELETE) delete parent[k]
    else parent[k] = v
  }
}
const DELETE = Symbol('delete')

const nest = (v: unknown, depth: number, asArray: boolean): unknown => {
  let out = v
  for (let i = 0; i < depth; i++) out = asArray ? [out] : { x: out }
  return out
}

/** Values that are almost right: wrong types, edge numbers, strings with separators, huge values. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0,
    2 ** 53,
    2 ** 32,
    2 ** 32 - 1,
    3,
    2,
    65536,
    '',
    ' ',
    'a,b',
    '/a,b',
    '/',
    'x=y',
    '..',
    '0',
    '02:42:ac:11:00:02',
    '0x8086',
  ),
  fc.constantFrom(NaN, Infinity, -Infinity, 10n, new Date(0), new Date(NaN)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n * 100)),
  fc.array(fc.integer(), { maxLength: 5 }),
)

/** Keys to insert: unknown garbage, and the keys the decoders know (set to a random value). */
const knownKeys = [
  ...Object.keys(QemuTable.props),
  'hypervisor',
  'qemu',
  'arch',
  'id',
  'uuid',
  'host',
  'runDir',
  'consolePath',
  'daemonize',
  'template',
  'devices',
  'kind',
  'memoryMiB',
  'nested',
  'qemuVersion',
  'gicVersion',
  'accelerator',
  'contextId',
  'vhostFd',
  'mountTag',
  'hostPath',
  'deviceId',
  'name',
  'endpoint',
  'tapName',
  'mac',
  'model',
  'fds',
  'vhostFds',
  'file',
  'format',
  'shareRW',
  'type',
  'devId',
  'socketPath',
  'tag',
  'cacheSize',
  'bdf',
  'vendorId',
  '__proto__',
  'constructor',
]
const key = fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 12 }))

type Mutation =
  | { readonly op: 'delete' }
  | { readonly op: 'replace'; readonly value: unknown }
  | { readonly op: 'insert'; readonly key: string; readonly value: unknown }
  | { readonly op: 'nest'; readonly depth: number; readonly asArray: boolean }
  | { readonly op: 'swapKind'; readonly kind: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ op: 'delete' } as const),
  garbage.map((value) => ({ op: 'replace', value }) as const),
  fc.record({ key, value: garbage }).map((r) => ({ op: 'insert', ...r }) as const),
  fc
    .record({ depth: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1000, 20_000)), asArray: fc.boolean() })
    .map((r) => ({ op: 'nest', ...r }) as const),
  fc
    .constantFrom('vsock', 'volume', 'socket', 'network', 'block', 'vhostUser', 'vfio', 'gpu')
    .map((kind) => ({ op: 'swapKind', kind }) as const),
)

/** Apply a mutation at a path; returns the path it changed. */
const mutate = (doc: { root: unknown }, p: Path, m: Mutation): Path => {
  const node = get(doc.root, p)
  const put = (v: unknown): void => {
    if (p.length === 0) doc.root = v
    else setAt(doc.root, p, v)
  }
  switch (m.op) {
    case 'delete':
      if (p.length === 0) doc.root = undefined
      else setAt(doc.root, p, DELETE)
      return p
    case 'replace':
      put(m.value)
      return p
    case 'nest':
      put(nest(node, m.depth, m.asArray))
      return p
    case 'insert':
      if (Array.isArray(node)) {
        node.push(m.value)
        return [...p, String(node.length - 1)]
      }
      if (isObj(node)) {
        Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
        return [...p, m.key]
      }
      put(m.value)
      return p
    case 'swapKind':
      if (isObj(node) && 'kind' in node) {
        node.kind = m.kind
        return [...p, 'kind']
      }
      put(m.kind)
      return p
  }
}

// -------------------------------------------------------------------------------------
// what a good failure looks like
// -------------------------------------------------------------------------------------

const isPrefix = (a: Path, b: Path): boolean => a.length <= b.length && a.every((x, i) => x === b[i])
const split = (s: string): Path => (s === '' ? [] : s.split('.'))

/** The error names the mutated place, something under it, something above it, or (for rules across fields) a sibling. */
const related = (err: Path, mut: Path, crossField: boolean): boolean => {
  if (err.length === 0) return mut.length === 0
  if (isPrefix(err, mut) || isPrefix(mut, err)) return true
  const parent = mut.slice(0, -1)
  return crossField && isPrefix(parent, err)
}

const errorPaths = (e: PlanError): ReadonlyArray<{ path: Path; crossField: boolean }> => {
  switch (e._tag) {
    case 'InvalidInput':
      return e.problems.map((p) => ({ path: split(p.path), crossField: false }))
    case 'InvalidConfig':
      return [{ path: split(e.field), crossField: true }]
    default:
      return []
  }
}

const checkTyped = (r: E.Either<PlanError, unknown>): void => {
  if (E.isRight(r)) return
  expect(['InvalidInput', 'InvalidConfig']).toContain(r.left._tag)
  if (r.left._tag === 'InvalidInput') {
    expect(r.left.problems.length).toBeGreaterThan(0)
    for (const p of r.left.problems) {
      expect(typeof p.path).toBe('string')
      expect(p.expected.length).toBeGreaterThan(0)
      expect(typeof p.actual).toBe('string')
    }
  } else if (r.left._tag === 'InvalidConfig') {
    expect(r.left.field.startsWith('hypervisor.qemu.')).toBe(true)
    expect(r.left.reason.length).toBeGreaterThan(0)
  }
  expect(toMessage(r.left).startsWith(`${r.left._tag}: `)).toBe(true)
}

/** A decoded pair must plan and render (both dialects) without throwing. */
const planAndRender = (config: unknown, sandbox: unknown, imageSizeBytes: number | undefined): void => {
  const c = decodeConfig(config)
  const s = decodeSandbox(sandbox)
  if (E.isLeft(c) || E.isLeft(s)) return
  const p = planSandbox(c.right.value, s.right.value, { imageSizeBytes }, seededIds(1))
  if (E.isLeft(p)) {
    expect(toMessage(p.left).length).toBeGreaterThan(0)
    return
  }
  for (const dialect of ['govmm', 'qemu'] as const) {
    const r = render(p.right, dialect)
    if (E.isLeft(r)) expect(toMessage(r.left).length).toBeGreaterThan(0)
    else for (const a of r.right.args) expect(typeof a).toBe('string')
  }
}

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

describe('decoders on random values', () => {
  it('seeds are valid documents (otherwise mutating them proves little)', () => {
    expect(seeds.length).toBeGreaterThan(1)
    for (const s of seeds) {
      expect(E.isRight(decodeConfig(s.config)), s.name).toBe(true)
      expect(E.isRight(decodeSandbox(s.sandbox)), s.name).toBe(true)
    }
  })

  it('never throw on random JSON; failures are typed', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (u) => {
        checkTyped(decodeConfig(u))
        checkTyped(decodeSandbox(u))
        checkTyped(decodeConfig({ hypervisor: { qemu: u } }))
        checkTyped(decodeSandbox({ arch: 'amd64', id: 'x', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: u, devices: [u] }))
      }),
      { numRuns: 1500 },
    )
  })

  it('never throw on arbitrary JS values (BigInt, Map, boxed values, sparse arrays, null prototypes)', () => {
    const anything = fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    })
    fc.assert(
      fc.property(anything, (u) => {
        checkTyped(decodeConfig(u))
        checkTyped(decodeSandbox(u))
        checkTyped(decodeConfig({ hypervisor: { qemu: u } }))
        checkTyped(decodeConfig({ hypervisor: { qemu: { kernel: '/k', image: '/i', kernel_params: u, default_memory: u } } }))
        checkTyped(
          decodeSandbox({ arch: 'amd64', id: 'x', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: u, template: u, devices: u }),
        )
        checkTyped(
          decodeSandbox({
            arch: 'amd64',
            id: 'x',
            uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
            host: { memoryMiB: 1, nested: false },
            devices: [u, u],
          }),
        )
      }),
      { numRuns: 1000 },
    )
  })
})

describe('decoders on mutated valid documents', () => {
  const target = fc.record({
    seed: fc.constantFrom(...seeds),
    which: fc.constantFrom('config', 'sandbox') as fc.Arbitrary<'config' | 'sandbox'>,
    pick: fc.nat(),
    m: mutation,
  })

  it('one mutation: never throws, names the mutated field, and what decodes also plans and renders', () => {
    fc.assert(
      fc.property(target, ({ seed, which, pick, m }) => {
        const doc = { root: clone(seed[which]) }
        const all = paths(doc.root)
        const at = all[pick % all.length] as Path
        const mutated = mutate(doc, at, m)
        const r = which === 'config' ? decodeConfig(doc.root) : decodeSandbox(doc.root)
        checkTyped(r)
        if (E.isLeft(r)) {
          const crossKind = mutated[mutated.length - 1] === 'kind'
          for (const e of errorPaths(r.left))
            expect(
              related(e.path, mutated, e.crossField || crossKind),
              `${toMessage(r.left)} for a ${m.op} at ${mutated.join('.') || '<root>'}`,
            ).toBe(true)
        } else {
          planAndRender(which === 'config' ? doc.root : seed.config, which === 'sandbox' ? doc.root : seed.sandbox, seed.imageSizeBytes)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('several mutations at once: never throws, failures are typed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.record({ which: fc.boolean(), pick: fc.nat(), m: mutation }), { minLength: 2, maxLength: 6 }),
        (seed, ms) => {
          const config = { root: clone(seed.config) }
          const sandbox = { root: clone(seed.sandbox) }
          for (const { which, pick, m } of ms) {
            const doc = which ? config : sandbox
            const all = paths(doc.root)
            mutate(doc, all[pick % all.length] as Path, m)
          }
          checkTyped(decodeConfig(config.root))
          checkTyped(decodeSandbox(sandbox.root))
          planAndRender(config.root, sandbox.root, seed.imageSizeBytes)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
