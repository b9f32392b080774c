/**
 * Fuzzing every CLI command with random and adversarial documents, flags and paths: malformed
 * JSON and TOML, wrong types, extreme numbers, huge strings, control characters, shell and QEMU
 * metacharacters, thousands of devices, and odd paths (directories, /dev/null, /dev/full, /proc,
 * missing files, symlink loops, overlong names, standard input).
 *
 * Every case must end one of two ways, within a time bound: exit 0; or exit 1 or 2 with exactly one
 * error line on stderr (after any `warning:`/`note:` lines), starting with a known tag or
 * `usage error:` — a JSON object naming one under `--json` — and bounded in length. Never a stack
 * trace, never `Internal:` (exit 70 is a bug), no file written or changed outside the case's own
 * temp dir, no child process left behind.
 *
 * The commands run in-process through `dispatch(argv, io)`; a few cases also run as real processes
 * (`node --import tsx src/cli/main.ts`) for the stdout and exit-status plumbing. The commands
 * that need a live QEMU (`run`, `hotplug`, `unplug`, `probe`) are fuzzed on their validation
 * paths: their QEMU is a missing file, `/bin/true` or `/bin/false`, their QMP socket missing.
 *
 * `FUZZ_RUNS=N` sets the number of cases per command (default 60, half that for `run` and `probe`:
 * about half a minute on two cores); `FUZZ_STATS=1` prints how the cases ended. fast-check prints
 * the seed and the shrunk case of any failure.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { parse as parseToml } from 'smol-toml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/cli/dispatch.ts'
import type { PlanError } from '../../src/core/errors.ts'
import { allArches, arbitraryConfig, arbitraryScenario } from '../../src/testing/index.ts'
import { goldenInputs, goldenPlans } from '../support/corpus.ts'

const repo = resolve(import.meta.dirname, '../..')
const runs = Number(process.env.FUZZ_RUNS ?? 60)
/** The most a case may take (in-process); generous for two shared cores. */
const caseMs = 8000

// -------------------------------------------------------------------------------------
// the verdict
// -------------------------------------------------------------------------------------

/** Every tag an error may carry; the Record makes a new variant without an entry a type error. */
const tagSet: { readonly [K in PlanError['_tag']]: true } = {
  InvalidInput: true,
  UnknownMachine: true,
  UnknownBinary: true,
  NoBridges: true,
  NoBridgeSlot: true,
  DeviceNotOnBridge: true,
  WrongBridgeType: true,
  NoBusSlot: true,
  InvalidDevice: true,
  DuplicateId: true,
  Unsupported: true,
  InvalidConfig: true,
  ParseError: true,
  NoHotplugCapacity: true,
  CapabilityMissing: true,
  ImageNotFound: true,
  Io: true,
  ConnectionRefused: true,
  QemuExited: true,
  QmpError: true,
  QmpProtocol: true,
  Timeout: true,
  Closed: true,
  UnknownDevice: true,
  PathTooLong: true,
  StateMismatch: true,
  Busy: true,
  MissingProgram: true,
  HostFactUnavailable: true,
}
const tags = new Set(Object.keys(tagSet))
const maxLine = 5000

interface Ran {
  readonly code: number
  readonly out: string
  readonly err: string
}

const lines = (s: string): ReadonlyArray<string> => s.split('\n').filter((l) => l !== '')

/** Whether one stderr line is a warning or a note (text, or a JSON object under --json). */
const isNotice = (l: string, json: boolean): boolean => {
  if (!json) return /^(warning|note): /.test(l)
  try {
    const o = JSON.parse(l) as Record<string, unknown>
    return Object.keys(o).length === 1 && (typeof o.warning === 'string' || typeof o.note === 'string')
  } catch {
    return false
  }
}

/** The tag of an error line, or why it is not one. */
const tagOf = (l: string, json: boolean): string => {
  if (json) {
    try {
      const o = JSON.parse(l) as Record<string, unknown>
      return typeof o.error === 'string' && typeof o.message === 'string' ? o.error : `not an error object: ${l.slice(0, 200)}`
    } catch {
      return `not JSON: ${l.slice(0, 200)}`
    }
  }
  if (l.startsWith('usage error: ')) return 'UsageError'
  return /^([A-Za-z]+): /.exec(l)?.[1] ?? `no tag: ${l.slice(0, 200)}`
}

/** The rule, as one list of broken promises (empty when the case ended well). */
const broken = (command: string, json: boolean, r: Ran): ReadonlyArray<string> => {
  const why: Array<string> = []
  const all = lines(r.err)
  if (/^\s+at .+:\d+:\d+\)?$/m.test(r.err) || r.err.includes('node:internal') || r.err.includes('    at '))
    why.push('a stack trace on stderr')
  if (all.some((l) => l.length > maxLine)) why.push(`a stderr line over ${maxLine} characters`)
  const errors = all.filter((l) => !isNotice(l, json))
  if (r.code === 0) {
    if (errors.length > 0) why.push(`exit 0 with an error line: ${errors[0]?.slice(0, 200)}`)
  } else if (r.code === 1 || r.code === 2) {
    // diff exits 1 for "different" and check 1 for "missing capabilities": stdout says so, no error
    const verdictOnStdout = (command === 'diff' && r.code === 1) || (command === 'check' && r.code === 1 && errors.length === 0)
    if (verdictOnStdout) {
      if (errors.length > 0) why.push(`${command} exit 1 with an error line`)
      if (r.out === '' && !json) why.push(`${command} exit 1 without a verdict on stdout`)
    } else if (errors.length !== 1)
      why.push(
        `exit ${r.code} with ${errors.length} error lines: ${errors
          .slice(0, 3)
          .map((l) => l.slice(0, 160))
          .join(' | ')}`,
      )
    else {
      const tag = tagOf(errors[0] as string, json)
      if (!tags.has(tag) && tag !== 'UsageError') why.push(`unknown tag: ${tag}`)
      if ((tag === 'UsageError') !== (r.code === 2) && command !== 'diff') why.push(`exit ${r.code} with a ${tag} error`)
      if (all[all.length - 1] !== errors[0]) why.push('the error is not the last stderr line')
    }
  } else why.push(`exit ${r.code}${r.code === 70 ? ' (Internal)' : ''}: ${r.err.slice(0, 400)}`)
  if (json && r.code === 0 && r.out !== '' && ['argv', 'parse', 'diff', 'topology', 'check'].includes(command)) {
    try {
      JSON.parse(r.out)
    } catch {
      why.push('--json output that is not JSON')
    }
  }
  return why
}

// -------------------------------------------------------------------------------------
// the world: fixtures, snapshots, children
// -------------------------------------------------------------------------------------

let root = ''
let fix = ''
let savedTmp: string | undefined
const F = (p: string): string => join(fix, p)

/**
 * Names, sizes and modification times under a directory (not following links), as a comparable text.
 * Left out: `.tmp`, `dist` and `node_modules`, which other test files (the real-guest image cache,
 * the consumer test's pack and build) write to while this file runs, and `.git`, which a developer
 * committing during a run touches; their time stamps say nothing about the CLI.
 */
const scratch = new Set(['.tmp', 'dist', 'node_modules', '.git'])
const snapshot = (dir: string, depth = 2): string => {
  const out: Array<string> = []
  const walk = (d: string, left: number): void => {
    let names: Array<string>
    try {
      names = readdirSync(d).sort()
    } catch (e) {
      out.push(`${d}: ${(e as NodeJS.ErrnoException).code}`)
      return
    }
    for (const n of names) {
      if (scratch.has(n)) continue
      const p = join(d, n)
      try {
        const s = statSync(p, { throwIfNoEntry: false }) ?? { size: -1, mtimeMs: -1, isDirectory: () => false }
        out.push(`${p} ${s.size} ${s.mtimeMs}`)
        if (s.isDirectory() && left > 0 && !n.startsWith('loop')) walk(p, left - 1)
      } catch (e) {
        out.push(`${p} ${(e as NodeJS.ErrnoException).code}`)
      }
    }
  }
  walk(dir, depth)
  return out.join('\n')
}

/** The children of this process (every thread), from /proc. */
const children = (): ReadonlyArray<string> => {
  try {
    return readdirSync('/proc/self/task').flatMap((t) =>
      readFileSync(`/proc/self/task/${t}/children`, 'utf8')
        .split(' ')
        .filter((x) => x.trim() !== ''),
    )
  } catch {
    return []
  }
}
let baseline: ReadonlySet<string> = new Set()
const strayChildren = async (): Promise<ReadonlyArray<string>> => {
  for (let i = 0; i < 50; i++) {
    const extra = children().filter((c) => !baseline.has(c))
    if (extra.length === 0) return []
    await new Promise((r) => setTimeout(r, 40))
  }
  return children().filter((c) => !baseline.has(c))
}

const validConfigToml = readFileSync(join(repo, 'examples/configuration.toml'), 'utf8')
const validSandbox = JSON.parse(readFileSync(join(repo, 'examples/sandbox.json'), 'utf8')) as Record<string, unknown>
const goldenArgv = readdirSync(join(repo, 'test/golden/amd64'))
  .filter((f) => f.endsWith('.argv'))
  .slice(0, 6)
  .map((f) =>
    readFileSync(join(repo, 'test/golden/amd64', f), 'utf8')
      .trimEnd()
      .split('\n'),
  )
  .concat([readFileSync(join(repo, 'test/fixtures/argv/kata-1.9-ps.txt'), 'utf8').trim().split(' ')])
const capsDoc = JSON.parse(readFileSync(join(repo, 'test/fixtures/caps/qemu-system-x86_64.json'), 'utf8')) as unknown

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'qemu-plan-fuzz-'))
  fix = join(root, 'fixtures')
  mkdirSync(fix)
  mkdirSync(F('dir'))
  mkdirSync(F('loop'))
  symlinkSync(F('loop/b'), F('loop/a'))
  symlinkSync(F('loop/a'), F('loop/b'))
  writeFileSync(F('config.toml'), validConfigToml)
  writeFileSync(F('sandbox.json'), JSON.stringify(validSandbox))
  writeFileSync(F('plain'), 'not a directory')
  writeFileSync(F('caps.json'), JSON.stringify(capsDoc))
  writeFileSync(F('kata.argv'), `${goldenArgv[0]?.join('\n')}\n`)
  // what run and probe launch instead of QEMU
  savedTmp = process.env.TMPDIR
  mkdirSync(join(root, 'tmp'))
  process.env.TMPDIR = join(root, 'tmp')
  baseline = new Set(children())
})
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = savedTmp
  if (root !== '') remove(root)
})

/** Paths no command should choke on, each naming something odd. */
const oddPaths = (): ReadonlyArray<string> => [
  F('dir'),
  F('loop/a'),
  '/dev/null',
  '/dev/full',
  '/proc/self/mem',
  '/proc/self/status',
  '/proc/qemu-plan-fuzz',
  '/sys/kernel',
  F('missing.json'),
  F('plain/below'),
  F('x'.repeat(300)),
  `/${'a/'.repeat(3000)}x`,
  '',
  'relative-missing-file',
  F('config.toml'),
  F('sandbox.json'),
]

// -------------------------------------------------------------------------------------
// arbitraries: values, documents, paths, flags
// -------------------------------------------------------------------------------------

const megabyte = 'y'.repeat(1 << 20)
const adversarialString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\0',
    '\n',
    'a\nb',
    '\r\n',
    '\t',
    '\u001b[31m',
    '\u2028',
    '\ud800',
    '🙂',
    ',id=x',
    'x,id=evil',
    ',,',
    "'",
    '"',
    '\\',
    '$(reboot)',
    '`id`',
    ';rm -rf /',
    '| cat',
    '&&',
    '../..',
    '/',
    '//x',
    '/a=b',
    '-',
    '--',
    '-device',
    '-S',
    'NaN',
    'Infinity',
    '-0',
    '1e308',
    '9007199254740993',
    'x'.repeat(300),
    `/${'a'.repeat(300)}`,
    'q35',
    'virtio-blk-pci',
    'drive-0',
    '02:42:ac:11:00:02',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant(megabyte),
)
const adversarialValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: adversarialString },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      -0,
      1e308,
      -1e308,
      5e-324,
      -1,
      0,
      1,
      0.5,
      255,
      256,
      65535,
      4294967295,
      4294967296,
      true,
      false,
      null,
      [],
      {},
      [[[]]],
      { kind: 'block' },
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)

type Json = unknown
/** Every place in a JSON document: [parent, key] pairs. */
const places = (doc: Json): Array<readonly [Record<string, unknown> | Array<unknown>, string | number]> => {
  const out: Array<readonly [Record<string, unknown> | Array<unknown>, string | number]> = []
  const walk = (v: Json, depth: number): void => {
    if (depth > 6 || out.length > 5000) return
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x, depth + 1)))
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), walk(x, depth + 1))
  }
  walk(doc, 0)
  return out
}

interface Mutation {
  readonly at: number
  readonly op: 'set' | 'delete' | 'add' | 'many'
  readonly value: unknown
  readonly key: string
  readonly count: number
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'add', 'many'),
  value: adversarialValue,
  key: adversarialString.filter((k) => k.length < 100),
  count: fc.integer({ min: 100, max: 3000 }),
})

const mutate = (doc: Json, ms: ReadonlyArray<Mutation>): Json => {
  let d = structuredClone(doc)
  for (const m of ms) {
    const ps = places(d)
    if (ps.length === 0) {
      d = m.value
      continue
    }
    const [parent, key] = ps[m.at % ps.length] as (typeof ps)[number]
    const p = parent as Record<string | number, unknown>
    if (m.op === 'set') p[key] = m.value
    else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete p[key]
    else if (m.op === 'add' && !Array.isArray(parent)) p[m.key] = m.value
    else if (m.op === 'many') {
      // many copies of one entry: thousands of devices, tokens or problems
      const arr = Array.isArray(parent) ? parent : Array.isArray(p.devices) ? (p.devices as Array<unknown>) : undefined
      if (arr && arr.length > 0) {
        // at most about 16 MB of copies: big, not out of memory
        const src = arr.slice()
        const size = Math.max(1, ...src.map((x) => (JSON.stringify(x) ?? '').length))
        const count = Math.min(m.count, Math.floor((16 << 20) / size))
        for (let i = 0; i < count; i++) arr.push(structuredClone(src[i % src.length]))
      }
    }
  }
  return d
}

/** Text-level damage on top of a serialized document. */
const textDamage = fc.oneof(
  { weight: 6, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((f) => (t: string) => t.slice(0, Math.floor(t.length * f))) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('1e400', '-0', 'NaN', '9007199254740993', '-9223372036854775809', '0x10', '.5', '1_000')
      .map((n) => (t: string) => t.replace(/(?<=[:[,]\s*)-?\d+(\.\d+)?(?=\s*[,\]}])/, n)),
  },
  { weight: 1, arbitrary: fc.constantFrom('\ufeff', '\0', '\u0007', '{', ']', '"', '\n\n', '#').map((c) => (t: string) => `${c}${t}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => () => s) },
)

/** A value in TOML syntax: `JSON.stringify` is TOML for strings (bar lone surrogates), numbers and arrays. */
const toToml = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? typeof v === 'number' && !Number.isFinite(v)
      ? 'nan'
      : JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(toToml).join(', ')}]`
      : v === null
        ? '""'
        : `{ ${Object.entries(v as object)
            .map(([k, x]) => `${JSON.stringify(k)} = ${toToml(x)}`)
            .join(', ')} }`
const tomlLiteral = fc.constantFrom(
  'nan',
  'inf',
  '-inf',
  '-0',
  '+0.0',
  '9223372036854775807',
  '9223372036854775808',
  '0x7fffffffffffffff',
  '1979-05-27T07:32:00Z',
  '1979-05-27',
  '07:32:00',
  '"""a\nb"""',
  "'lit'",
  '[1, "a"]',
  '{ a = 1 }',
  '[[1]]',
  'true',
  '"x,id=y"',
  '"$(reboot)"',
)
const tomlKeys = [
  'kernel',
  'initrd',
  'image',
  'machine_type',
  'default_vcpus',
  'default_maxvcpus',
  'default_memory',
  'memory_slots',
  'memory_offset',
  'default_bridges',
  'block_device_driver',
  'shared_fs',
  'enable_iothreads',
  'path',
  'firmware',
  'machine_accelerators',
  'kernel_params',
  'file_mem_backend',
]

/** A configuration document: valid, mutated, in TOML or JSON; sometimes garbage. */
const configText: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(validConfigToml) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...allArches).chain(arbitraryConfig), fc.array(mutation, { maxLength: 3 }), fc.boolean(), textDamage)
      .map(([c, ms, toml, damage]) => {
        const d = mutate(c, ms)
        const q = (d as { hypervisor?: { qemu?: unknown } })?.hypervisor?.qemu
        const text =
          toml && typeof q === 'object' && q !== null && !Array.isArray(q)
            ? `[hypervisor.qemu]\n${Object.entries(q)
                .map(([k, v]) => `${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)} = ${toToml(v)}`)
                .join('\n')}\n`
            : JSON.stringify(d)
        return damage(text)
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...tomlKeys), fc.oneof(tomlLiteral, adversarialValue.map(toToml))), { maxLength: 4 })
      .map((kv) =>
        `${validConfigToml}\n${kv.map(([k, v]) => `${k} = ${v}`).join('\n')}\n`.replace(
          /^(kernel|initrd|image|machine_type) = .*$/m,
          (l) => (kv.some(([k]) => l.startsWith(`${k} `)) ? '' : l),
        ),
      ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
)

/** A sandbox document: the example, a golden one or a random one, mutated. */
const sandboxDoc: fc.Arbitrary<Json> = fc
  .tuple(
    fc.oneof(
      fc.constant(validSandbox as Json),
      fc.constantFrom(...goldenInputs.map((g) => g.input.sandbox as Json)),
      fc.constantFrom(...allArches).chain((a) => arbitraryScenario(a).map((s) => s.sandbox as Json)),
    ),
    fc.array(mutation, { maxLength: 3 }),
  )
  .map(([s, ms]) => mutate(s, ms))
const sandboxText: fc.Arbitrary<string> = fc.tuple(sandboxDoc, textDamage).map(([d, damage]) => damage(JSON.stringify(d) ?? 'undefined'))

/** A command line: a golden argv mutated, written as a JSON array, one token per line, or a shell or ps line. */
const argvText: fc.Arbitrary<{ readonly text: string; readonly ext: string }> = fc
  .record({
    base: fc.constantFrom(...goldenArgv),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('insert', 'replace', 'delete'),
        token: fc.oneof(
          adversarialString,
          fc.constantFrom(
            '-device',
            '-machine',
            '-m',
            '-smp',
            '-qmp',
            '-object',
            '-netdev',
            '-drive',
            '-append',
            'virtio-blk-pci,id=x,drive=y',
            'pci-bridge,bus=pcie.0,id=b,chassis_nr=1,addr=0x40',
            '2048M,slots=4294967296,maxmem=1e308M',
            'q35,accel=kvm,,x',
          ),
        ),
      }),
      { maxLength: 4 },
    ),
    form: fc.constantFrom('json', 'lines', 'shell', 'ps'),
    damage: textDamage,
  })
  .map(({ base, edits, form, damage }) => {
    const t = [...base]
    for (const e of edits) {
      const i = t.length === 0 ? 0 : e.at % t.length
      if (e.op === 'insert') t.splice(i, 0, e.token)
      else if (e.op === 'replace') t[i] = e.token
      else t.splice(i, 1)
    }
    const q = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
    const text =
      form === 'json' ? JSON.stringify(t) : form === 'lines' ? `${t.join('\n')}\n` : form === 'shell' ? t.map(q).join(' ') : t.join(' ')
    return { text: damage(text), ext: form === 'lines' ? '.argv' : form === 'json' ? '.json' : '.txt' }
  })

const capsText: fc.Arbitrary<string> = fc
  .tuple(fc.array(mutation, { maxLength: 3 }), textDamage)
  .map(([ms, damage]) => damage(JSON.stringify(mutate(capsDoc, ms)) ?? ''))

/** A config and a sandbox that belong together (a golden input or a random scenario), sometimes mildly damaged: cases that reach the planner, the renderer and the tools. */
const scenario: fc.Arbitrary<{ readonly config: Json; readonly sandbox: Json; readonly imageSizeBytes: number | undefined }> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        ...goldenInputs.map((g) => ({
          config: g.input.config as Json,
          sandbox: g.input.sandbox as Json,
          imageSizeBytes: g.input.imageSizeBytes,
        })),
      ),
      fc.constantFrom(...allArches).chain(arbitraryScenario),
    ),
    fc.option(fc.tuple(fc.boolean(), mutation), { freq: 2 }),
  )
  .map(([sc, m]) =>
    m === null ? sc : m[0] ? { ...sc, config: mutate(sc.config, [m[1]]) } : { ...sc, sandbox: mutate(sc.sandbox, [m[1]]) },
  )
/** A `{config, sandbox}` document, as diff, topology and check read them. */
const specText = scenario.map((sc) => ({
  text: JSON.stringify({ config: sc.config, sandbox: sc.sandbox, imageSizeBytes: sc.imageSizeBytes ?? 134217728 }) ?? '',
  ext: '.json',
}))

/** Where an input comes from: a generated file, standard input, or an odd path. */
type Source =
  | { readonly kind: 'file'; readonly text: string; readonly ext: string }
  | { readonly kind: 'stdin'; readonly text: string }
  | { readonly kind: 'odd'; readonly index: number }
const source = (doc: fc.Arbitrary<{ readonly text: string; readonly ext: string }>): fc.Arbitrary<Source> =>
  fc.oneof(
    { weight: 6, arbitrary: doc.map((d) => ({ kind: 'file' as const, ...d })) },
    { weight: 1, arbitrary: doc.map((d) => ({ kind: 'stdin' as const, text: d.text })) },
    { weight: 2, arbitrary: fc.nat().map((index) => ({ kind: 'odd' as const, index })) },
  )
const withExt = (ext: string) => (text: string) => ({ text, ext })

/** Extra flags: the known ones with adversarial values, unknown ones, `--`, `--json`. */
const flagValue = fc.oneof(
  fc.constantFrom('0', '1', '-1', '9007199254740993', '1e308', 'NaN', '', 'qemu', 'govmm', 'json', 'lines', 'shell', 'plan', '134217728'),
  adversarialString.filter((s) => s.length < 1000),
)
const extraFlags = (names: ReadonlyArray<string>): fc.Arbitrary<ReadonlyArray<string>> =>
  fc.oneof(
    // most cases get past flag parsing, to reach the inputs
    { weight: 3, arbitrary: fc.constantFrom<ReadonlyArray<string>>([], ['--json'], ['--json']) },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.oneof(
            { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...names), flagValue).map(([n, v]) => [n, v]) },
            { weight: 1, arbitrary: fc.constantFrom(['--json'], ['--bogus'], ['--'], ['-x'], ['--seed=1'], ['positional'], ['--json=1']) },
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((xs) => xs.flat()),
    },
  )

// -------------------------------------------------------------------------------------
// cases
// -------------------------------------------------------------------------------------

interface Case {
  readonly command: string
  /** The command line, with `@name` for a file of the case and `@@n` for odd path n. */
  readonly args: ReadonlyArray<string>
  readonly files: Readonly<Record<string, string>>
  readonly stdin?: string
}

/** Turn a source into an argument, recording the file or stdin it needs. */
const place = (s: Source, name: string, files: Record<string, string>, stdin: { text?: string }): string => {
  if (s.kind === 'file') {
    files[`${name}${s.ext}`] = s.text
    return `@${name}${s.ext}`
  }
  if (s.kind === 'stdin') {
    if (stdin.text === undefined) stdin.text = s.text
    return '-'
  }
  return `@@${s.index}`
}

const build = (command: string, parts: (files: Record<string, string>, stdin: { text?: string }) => ReadonlyArray<string>): Case => {
  const files: Record<string, string> = {}
  const stdin: { text?: string } = {}
  const args = parts(files, stdin)
  return { command, args: [command, ...args], files, ...(stdin.text === undefined ? {} : { stdin: stdin.text }) }
}

const cfgSrc = source(configText.map(withExt('.toml')))
const sbSrc = source(sandboxText.map(withExt('.json')))
const argvSrc = source(argvText)
const inputSrc = fc.oneof(argvSrc, sbSrc, source(specText))
const capsSrc = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Source>({ kind: 'file', text: JSON.stringify(capsDoc), ext: '.json' }) },
  { weight: 2, arbitrary: source(capsText.map(withExt('.json'))) },
)

const cases: Readonly<Record<string, fc.Arbitrary<Case>>> = {
  argv: fc.oneof(
    fc
      .tuple(cfgSrc, sbSrc, extraFlags(['--dialect', '--format', '--seed', '--image-size']), fc.boolean())
      .map(([c, s, extra, size]) =>
        build('argv', (f, i) => [
          '--config',
          place(c, 'config', f, i),
          '--sandbox',
          place(s, 'sandbox', f, i),
          ...(size ? ['--image-size', '134217728'] : []),
          ...extra,
        ]),
      ),
    fc.tuple(scenario, fc.constantFrom([], ['--dialect', 'govmm'], ['--format', 'lines'], ['--json'], ['--seed', '7'])).map(([sc, extra]) =>
      build('argv', (f) => {
        f['config.json'] = JSON.stringify(sc.config) ?? ''
        f['sandbox.json'] = JSON.stringify(sc.sandbox) ?? ''
        return ['--config', '@config.json', '--sandbox', '@sandbox.json', '--image-size', String(sc.imageSizeBytes ?? 134217728), ...extra]
      }),
    ),
  ),
  parse: fc
    .tuple(argvSrc, extraFlags(['--to', '--format']))
    .map(([a, extra]) => build('parse', (f, i) => [place(a, 'input', f, i), ...extra])),
  diff: fc
    .tuple(inputSrc, inputSrc, fc.option(cfgSrc), extraFlags(['--dialect', '--seed', '--image-size', '--config']))
    .map(([a, b, c, extra]) =>
      build('diff', (f, i) => [
        place(a, 'a', f, i),
        place(b, 'b', f, i),
        ...(c ? ['--config', place(c, 'config', f, i)] : []),
        '--image-size',
        '134217728',
        ...extra,
      ]),
    ),
  topology: fc
    .tuple(inputSrc, fc.option(cfgSrc), fc.boolean(), extraFlags(['--dialect', '--seed', '--image-size']))
    .map(([a, c, flag, extra]) =>
      build('topology', (f, i) => [
        ...(flag ? ['--sandbox'] : []),
        place(a, 'input', f, i),
        ...(c ? ['--config', place(c, 'config', f, i)] : []),
        '--image-size',
        '134217728',
        ...extra,
      ]),
    ),
  check: fc
    .tuple(capsSrc, inputSrc, fc.option(cfgSrc), extraFlags(['--dialect', '--seed']))
    .map(([k, a, c, extra]) =>
      build('check', (f, i) => [
        '--caps',
        place(k, 'caps', f, i),
        place(a, 'input', f, i),
        ...(c ? ['--config', place(c, 'config', f, i)] : []),
        '--image-size',
        '134217728',
        ...extra,
      ]),
    ),
  hotplug: fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...goldenPlans.slice(0, 8).map((g) => g.plan)).map((p) => ({ kind: 'state' as const, plan: p })),
        fc
          .tuple(fc.constantFrom(...goldenPlans.slice(0, 4).map((g) => g.plan)), fc.array(mutation, { minLength: 1, maxLength: 2 }))
          .map(([p, ms]) => ({ kind: 'mutated' as const, doc: mutate(p, ms) })),
        fc.constantFrom({ kind: 'missing' as const }, { kind: 'odd' as const }),
      ),
      fc.oneof(
        fc.tuple(fc.constant('block'), extraFlags(['--id', '--file', '--format'])),
        fc.tuple(fc.constant('network'), extraFlags(['--id', '--mac', '--tap', '--queues'])),
        fc.tuple(fc.constant('vfio'), extraFlags(['--id', '--bdf'])),
        fc.tuple(fc.constant('cpus'), extraFlags(['--count'])),
        fc.tuple(fc.constant('memory'), extraFlags(['--size-mib'])),
        fc.tuple(
          adversarialString.filter((s) => s.length < 100),
          extraFlags(['--id']),
        ),
      ),
      fc.nat(),
    )
    .map(([st, [what, extra], odd]) =>
      build('hotplug', (f) => {
        const state = st.kind === 'missing' ? '@missing.state.json' : st.kind === 'odd' ? `@@${odd}` : '@state.json'
        if (st.kind === 'state') f['state.json'] = JSON.stringify({ ...st.plan, qmpPath: '@DIR/qmp.sock' })
        if (st.kind === 'mutated') f['state.json'] = JSON.stringify(st.doc) ?? ''
        const needs: Readonly<Record<string, ReadonlyArray<string>>> = {
          block: ['--id', 'fz0', '--file', '@DIR/disk.img'],
          network: ['--id', 'fz1', '--mac', '02:00:00:00:00:01', '--tap', 'tap9_kata'],
          vfio: ['--id', 'fz2', '--bdf', '02:10.0'],
          cpus: ['--count', '1'],
          memory: ['--size-mib', '128'],
        }
        return [
          '--state',
          state,
          what,
          ...(Object.hasOwn(needs, what) ? (needs[what] as ReadonlyArray<string>) : []),
          '--timeout-ms',
          '300',
          ...extra,
        ]
      }),
    ),
  unplug: fc
    .tuple(
      fc.constantFrom('state', 'missing', 'odd'),
      fc.nat(),
      fc.oneof(
        fc.constantFrom('drive-0', 'cpu-1'),
        adversarialString.filter((s) => s.length < 100),
      ),
      extraFlags(['--timeout-ms', '--id']),
    )
    .map(([kind, odd, id, extra]) =>
      build('unplug', (f) => {
        if (kind === 'state') f['state.json'] = JSON.stringify({ ...(goldenPlans[0]?.plan ?? {}), qmpPath: '@DIR/qmp.sock' })
        return [
          '--state',
          kind === 'state' ? '@state.json' : kind === 'missing' ? '@missing.json' : `@@${odd}`,
          '--id',
          id,
          '--timeout-ms',
          '300',
          ...extra,
        ]
      }),
    ),
  run: fc
    .tuple(
      fc.oneof({ weight: 2, arbitrary: fc.constant(validConfigToml) }, { weight: 1, arbitrary: configText }),
      // mostly sandboxes that plan, so the cases reach the run dir and the launch
      fc.oneof({ weight: 2, arbitrary: fc.constant(validSandbox as Json) }, { weight: 1, arbitrary: sandboxDoc }),
      fc.constantFrom(
        '@DIR/run',
        '/proc/qemu-plan-fuzz',
        '/proc/self',
        '/sys/qemu-plan-fuzz',
        '@FIX/plain/sub',
        '@FIX/plain',
        `@DIR/${'x'.repeat(300)}`,
        `@DIR${'/a'.repeat(2100)}`,
      ),
      fc.constantFrom('/bin/true', '/bin/false', '@DIR/no-qemu', '@FIX/dir', '@FIX/config.toml'),
      extraFlags(['--seed', '--image-size', '--timeout-ms']),
    )
    .map(([cfg, sb, runDir, binary, extra]) =>
      build('run', (f) => {
        // a config that names no binary would start the real QEMU: every run case names a fake one.
        // Read it as the CLI does (JSON when it starts with {, TOML otherwise): what does not read
        // stays as it is, since the CLI cannot read it either
        let doc: unknown
        try {
          doc = cfg.trimStart().startsWith('{') ? JSON.parse(cfg) : parseToml(cfg)
        } catch {
          doc = undefined
        }
        const h = (doc as { hypervisor?: unknown } | undefined)?.hypervisor
        const q = (h as { qemu?: unknown } | undefined)?.qemu
        if (doc === undefined) f['config.toml'] = cfg
        else if (typeof q === 'object' && q !== null && !Array.isArray(q))
          f['config.json'] = JSON.stringify({ ...(doc as object), hypervisor: { ...(h as object), qemu: { ...q, path: binary } } })
        else f['config.json'] = JSON.stringify(doc)
        f['sandbox.json'] = JSON.stringify(typeof sb === 'object' && sb !== null && !Array.isArray(sb) ? { ...sb, runDir } : sb) ?? ''
        return [
          '--config',
          f['config.toml'] === undefined ? '@config.json' : '@config.toml',
          '--sandbox',
          '@sandbox.json',
          '--image-size',
          '134217728',
          '--timeout-ms',
          '1000',
          ...extra,
        ]
      }),
    ),
  probe: fc
    .tuple(
      fc.constantFrom('@DIR/no-qemu', '@FIX/dir', '/dev/null', '@FIX/config.toml', '/bin/false', ''),
      fc.option(
        fc.oneof(
          fc.constantFrom(
            '@DIR/caps.json',
            '@DIR/old.json',
            '@FIX/dir',
            '/dev/null',
            '/dev/full',
            '-',
            '@FIX/plain/x',
            `@DIR/${'x'.repeat(300)}`,
            '/proc/qemu-plan-fuzz/caps.json',
            '/proc/self/status',
          ),
        ),
      ),
      extraFlags(['--name']),
    )
    .map(([q, out, extra]) =>
      build('probe', (f) => {
        f['old.json'] = 'old'
        return ['--qemu', q, ...(out === null ? [] : ['--out', out]), ...extra]
      }),
    ),
}

/** The command line with the case's paths filled in. */
const resolveArgs = (c: Case, dir: string): ReadonlyArray<string> => {
  const odd = oddPaths()
  return c.args.map((a) =>
    a.startsWith('@@')
      ? (odd[Number(a.slice(2)) % odd.length] as string)
      : a.startsWith('@DIR') || a.startsWith('@FIX')
        ? a.replace('@DIR', dir).replace('@FIX', fix)
        : a.startsWith('@')
          ? join(dir, a.slice(1))
          : a,
  )
}

const writeFiles = (c: Case, dir: string): void => {
  for (const [name, text] of Object.entries(c.files)) writeFileSync(join(dir, name), text.replaceAll('@DIR', dir).replaceAll('@FIX', fix))
}

const inProcess = async (args: ReadonlyArray<string>, stdin: string | undefined): Promise<Ran> => {
  let out = ''
  let err = ''
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([
    dispatch(args, { out: (s) => (out += s), err: (s) => (err += s), stdin: async () => stdin ?? '' }),
    new Promise<number>((r) => (timer = setTimeout(() => r(-1), caseMs))),
  ])
  clearTimeout(timer)
  return { code, out, err: code === -1 ? `${err}[did not finish within ${caseMs} ms]` : err }
}

/** `FUZZ_STATS=1`: how the cases ended, by command, exit status and tag (to see what the fuzz reaches). */
const stats = process.env.FUZZ_STATS === '1' ? new Map<string, number>() : undefined
afterAll(() => {
  if (stats !== undefined)
    console.log(
      [...stats]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, n]) => `${String(n).padStart(5)} ${k}`)
        .join('\n'),
    )
})

const check = async (c: Case): Promise<void> => {
  const dir = mkdtempSync(join(root, 'case-'))
  try {
    writeFiles(c, dir)
    const args = resolveArgs(c, dir)
    const before = { fix: snapshot(fix), repo: snapshot(repo, 0), tmp: snapshot(join(root, 'tmp')), old: c.files['old.json'] }
    const t0 = Date.now()
    const r = await inProcess(args, c.stdin)
    const ms = Date.now() - t0
    const json = args
      .slice(1, args.includes('--') ? args.indexOf('--') : undefined)
      .some(
        (a, i, all) =>
          a === '--json' ||
          ((c.command === 'argv' || c.command === 'parse') && (a === '--format=json' || (a === '--format' && all[i + 1] === 'json'))),
      )
    const why = [...broken(c.command, json, r)]
    if (snapshot(fix) !== before.fix) why.push('a fixture file changed')
    if (snapshot(repo, 0) !== before.repo) why.push('the repository checkout changed')
    if (snapshot(join(root, 'tmp')) !== before.tmp) why.push('a file was left in TMPDIR')
    if (before.old !== undefined && r.code !== 0 && readFileSync(join(dir, 'old.json'), 'utf8') !== 'old')
      why.push('a failed write changed its target')
    if (c.command === 'probe' && r.code !== 0 && readdirSync(dir).some((n) => n.endsWith('.tmp')))
      why.push('a failed write left its temporary file')
    if (stats !== undefined) {
      const key = `${c.command} exit ${r.code} ${
        r.code === 0
          ? ''
          : tagOf(
              lines(r.err)
                .filter((l) => !isNotice(l, json))
                .pop() ?? '',
              json,
            )
      }`
      stats.set(key, (stats.get(key) ?? 0) + 1)
      if (process.env.FUZZ_SHOW === c.command) process.stderr.write(`SHOW ${r.code} ${r.err.slice(0, 300)}\n`)
    }
    const stray = await strayChildren()
    if (stray.length > 0) why.push(`child processes left: ${stray.join(', ')}`)
    if (why.length > 0)
      throw new Error(
        `${c.command} (${ms} ms, exit ${r.code}): ${why.join('; ')}\nargs: ${JSON.stringify(args.map((a) => (a.length > 120 ? `${a.slice(0, 120)}…(${a.length})` : a)))}\nstderr: ${r.err.slice(0, 1500)}`,
      )
  } finally {
    remove(dir)
  }
}

/** rmSync recurses once per level: a very deep tree is `rm -rf`'s job. */
const remove = (dir: string): void => {
  try {
    rmSync(dir, { recursive: true, force: true })
  } catch {
    spawnSync('rm', ['-rf', dir])
  }
}

describe('fuzzing the CLI in-process: every case ends with exit 0, or one typed error line', () => {
  for (const [command, arb] of Object.entries(cases)) {
    const n = command === 'run' || command === 'probe' ? Math.max(5, Math.round(runs / 2)) : runs
    it(`${command} (${n} cases)`, { timeout: 60_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(arb, async (c) => {
          await check(c)
        }),
        { numRuns: n, endOnFailure: false },
      )
    })
  }
})

// -------------------------------------------------------------------------------------
// real processes: stdout and exit-status plumbing
// -------------------------------------------------------------------------------------

interface Proc extends Ran {
  readonly ms: number
}

/** Run the CLI as a process. `stdout` 'close' closes the read end at once (a reader that went away, as `| head -1`). */
const proc = (
  args: ReadonlyArray<string>,
  o: { readonly stdin?: string | number; readonly stdout?: 'pipe' | 'close' | 'full'; readonly script?: string } = {},
): Promise<Proc> =>
  new Promise((res) => {
    const t0 = Date.now()
    const full = o.stdout === 'full' ? openSync('/dev/full', 'w') : undefined
    const argv =
      o.script === undefined
        ? ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args]
        : ['--import', 'tsx', '--input-type=module', '-e', o.script]
    const child = spawn(process.execPath, argv, {
      cwd: repo,
      stdio: [typeof o.stdin === 'number' ? o.stdin : 'pipe', full ?? 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: join(root, 'tmp') },
    })
    if (full !== undefined) closeSync(full)
    let out = ''
    let err = ''
    child.stdout?.on('data', (d) => (out += d))
    if (o.stdout === 'close') child.stdout?.destroy()
    child.stderr?.on('data', (d) => (err += d))
    child.stdin?.on('error', () => {})
    if (typeof o.stdin !== 'number') child.stdin?.end(o.stdin ?? '')
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', (code, signal) => {
      clearTimeout(kill)
      res({ code: code ?? (signal === null ? -1 : 128), out, err, ms: Date.now() - t0 })
    })
  })

describe('fuzzing the CLI as a process', () => {
  it('gives the in-process exit status and output for a sample of fuzz cases', { timeout: 120_000 }, async () => {
    const sample = fc.sample(
      fc.oneof(
        cases.parse as fc.Arbitrary<Case>,
        cases.argv as fc.Arbitrary<Case>,
        cases.check as fc.Arbitrary<Case>,
        cases.topology as fc.Arbitrary<Case>,
      ),
      { numRuns: 4, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1e9) },
    )
    for (const c of sample) {
      const dir = mkdtempSync(join(root, 'case-'))
      try {
        writeFiles(c, dir)
        const args = resolveArgs(c, dir).map((a) => a.replaceAll('\0', ''))
        if (args.some((a) => a.length > 100_000)) continue // the process's own argument limit, not ours
        const inside = await inProcess(args, c.stdin)
        const outside = await proc(args.slice(), { stdin: c.stdin })
        // seedless argv draws random ids: compare everything but stdout then
        const sameOut = !(c.command === 'argv' && !args.includes('--seed'))
        // what a process writes is UTF-8: a lone surrogate in a message becomes U+FFFD on the way out
        const utf8 = (x: string): string => Buffer.from(x, 'utf8').toString('utf8')
        expect(
          { code: outside.code, err: outside.err, ...(sameOut ? { out: outside.out } : {}) },
          JSON.stringify(args).slice(0, 500),
        ).toEqual({ code: inside.code, err: utf8(inside.err), ...(sameOut ? { out: utf8(inside.out) } : {}) })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  })

  it(
    'ends with one line when the reader of stdout goes away (EPIPE), and when the disk is full (ENOSPC)',
    { timeout: 60_000 },
    async () => {
      const args = ['parse', join(repo, 'test/fixtures/argv/kata-1.9-ps.txt'), '--format', 'plan']
      const [pipe, full] = await Promise.all([proc(args, { stdout: 'close' }), proc(args, { stdout: 'full' })])
      expect(pipe.code, pipe.err).toBe(1)
      expect(pipe.err).toBe('Io: write <stdout>: EPIPE\n')
      expect(full.code, full.err).toBe(1)
      expect(full.err).toBe('Io: write <stdout>: ENOSPC\n')
      const jsonFull = await proc([...args.slice(0, 2), '--json'], { stdout: 'full' })
      expect(jsonFull.code).toBe(1)
      expect(JSON.parse(jsonFull.err)).toEqual({ error: 'Io', message: 'write <stdout>: ENOSPC' })
    },
  )

  it(
    'reads - from standard input, prints usage on stderr with exit 2 when called with nothing, and its version',
    { timeout: 60_000 },
    async () => {
      const argv = readFileSync(join(repo, 'test/golden/amd64/kata-worked-example.qemu.argv'), 'utf8')
      const dir = openSync('/', 'r')
      const [stdin, stdinDir, none, version] = await Promise.all([
        proc(['parse', '-', '--json'], { stdin: JSON.stringify(argv.trimEnd().split('\n')) }),
        proc(['parse', '-'], { stdin: dir }),
        proc([]),
        proc(['--version']),
      ])
      closeSync(dir)
      // Node reads a directory on standard input as empty; qemu-plan says what it is
      expect([stdinDir.code, stdinDir.err]).toEqual([1, 'Io: read -: EISDIR\n'])
      expect(stdin.code, stdin.err).toBe(0)
      expect(JSON.parse(stdin.out)).toEqual(argv.trimEnd().split('\n'))
      expect(none.code).toBe(2)
      expect(none.out).toBe('')
      expect(none.err).toContain('usage: qemu-plan COMMAND')
      expect(version).toMatchObject({ code: 0, err: '' })
      expect(version.out).toMatch(/^qemu-plan \d+\.\d+\.\d+\n$/)
    },
  )

  it(
    'has a last-resort guard: a throw, an unhandled rejection or a late exception is one Internal line, exit 70',
    { timeout: 60_000 },
    async () => {
      const entry = JSON.stringify(join(repo, 'src/cli/entry.ts'))
      const script = (body: string): string =>
        `const { main } = await import(${entry}); await main(['boom'], { boom: { summary: '', usage: '', run: ${body} } })`
      const results = await Promise.all([
        proc([], { script: script(`async () => { throw new TypeError('thrown') }`) }),
        proc([], {
          script: script(`() => { Promise.reject(new Error('unawaited')); return new Promise((r) => setTimeout(() => r(0), 200)) }`),
        }),
        proc([], { script: script(`() => new Promise(() => { setTimeout(() => { throw new RangeError('late') }, 10) })`) }),
      ])
      expect(results.map((r) => [r.code, r.out, r.err])).toEqual([
        [70, '', 'Internal: TypeError: thrown (a bug in qemu-plan; please report it)\n'],
        [70, '', 'Internal: Error: unawaited (a bug in qemu-plan; please report it)\n'],
        [70, '', 'Internal: RangeError: late (a bug in qemu-plan; please report it)\n'],
      ])
    },
  )

  it('refuses a run dir under /proc within a second, as a process', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(root, 'case-'))
    try {
      writeFileSync(join(dir, 'c.toml'), `[hypervisor.qemu]\npath = "/bin/true"\nkernel = "/k"\ninitrd = "/i"\nmachine_type = "q35"\n`)
      const sb = {
        arch: 'amd64',
        id: 'sb1',
        uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
        host: { memoryMiB: 4096, nested: false },
        runDir: '/proc/qemu-plan-fuzz',
      }
      const r = await proc(['run', '--config', join(dir, 'c.toml'), '--sandbox', '-'], { stdin: JSON.stringify(sb) })
      expect(r.code).toBe(1)
      expect(r.err.split('\n').filter((l) => l !== '' && !/^(note|warning): /.test(l))).toEqual(['Io: mkdir /proc/qemu-plan-fuzz: ENOENT'])
      // node's own start-up is most of it
      expect(r.ms).toBeLessThan(10_000)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
