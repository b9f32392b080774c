/**
 * BENCHMARKS.md from the rounds of `bench/run.ts`: every row's median over the rounds with its
 * spread, Go ÷ ours per round where the rounds carry the original Go code's figures, the goals,
 * then bench/notes.md (what each change bought, what misses and why).
 */
import { readFileSync } from 'node:fs'
import type { Extras } from './extra.ts'
import type { Round } from './run.ts'
import { median } from './stats.ts'

// -------------------------------------------------------------------------------------
// figures
// -------------------------------------------------------------------------------------

interface Stat {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly n: number
}

const stat = (xs: ReadonlyArray<number>): Stat => {
  const ok = xs.filter((x) => Number.isFinite(x))
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length }
}

const f = (n: number): string =>
  !Number.isFinite(n)
    ? '—'
    : n >= 10_000
      ? Math.round(n).toLocaleString('en')
      : n >= 100
        ? n.toFixed(0)
        : n >= 10
          ? n.toFixed(1)
          : n.toFixed(2)

/** A time in µs, as µs, ms or s. */
const t = (us: number): string => (us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : us >= 1e4 ? `${f(us / 1000)} ms` : `${f(us)} µs`)
const spread = (s: Stat, unit: (x: number) => string): string => `${unit(s.min)} – ${unit(s.max)}`
const x = (r: number): string => `${r.toFixed(1)}×`

// -------------------------------------------------------------------------------------
// the rows against Go
// -------------------------------------------------------------------------------------

interface Versus {
  readonly row: string
  readonly go: string
  readonly goal: number
  readonly what: string
}

const versus: ReadonlyArray<Versus> = [
  { row: 'typical: plan + render (govmm)', go: 'ArgvTypical', goal: 4, what: 'typical (spec-typical.json): plan + render' },
  { row: 'large: plan + render (govmm)', go: 'ArgvLarge', goal: 5, what: 'large (spec-large.json), our placement: plan + render' },
  {
    row: "large, Go's placement: plan + render (govmm)",
    go: 'ArgvLarge',
    goal: 5,
    what: "large, every drive through `addDeviceToBridge` as in Go's run",
  },
  { row: 'bridge pairs, empty (1000 pairs)', go: 'BridgePairs1000Empty', goal: 3, what: 'bridge pairs, empty (1000 add + remove)' },
  { row: 'bridge pairs, busy (1000 pairs)', go: 'BridgePairs1000Busy', goal: 8, what: 'bridge pairs, busy (1000 add + remove)' },
  {
    row: 'embedded service: typical (decode sandbox JSON, stat, crypto ids, plan, render)',
    go: 'ArgvTypical',
    goal: 2,
    what: 'embedded service, typical: decode sandbox JSON, `stat` the image, crypto ids, plan, render',
  },
]

const usOf = (r: Round, name: string): number => r.rows.find((x) => x.name === name)?.medianUs ?? NaN

const versusTable = (rounds: ReadonlyArray<Round>): ReadonlyArray<string> => {
  const withGo = rounds.filter((r) => Object.keys(r.go).length > 0)
  if (withGo.length === 0)
    return ['No Go figures in this run (they come from `--between`, below): the ratios of the last run with them are in the notes.', '']
  return [
    `${withGo.length} short rounds, each of our rows below (one process, tinybench, 1.5 s per row) followed at once by one run of the Go benchmarks (\`-test.count 1\`): Go ÷ qemu-plan is taken per round, then its median and its lowest and highest value.`,
    '',
    '| work | qemu-plan median (spread) | Go median (spread) | Go ÷ qemu-plan, median | spread of the ratio | goal | met |',
    '|---|---:|---:|---:|---:|---:|:---:|',
    ...versus.map((v) => {
      const ours = stat(withGo.map((r) => usOf(r, v.row)))
      const go = stat(withGo.map((r) => r.go[v.go] ?? NaN))
      const ratio = stat(withGo.map((r) => (r.go[v.go] ?? NaN) / usOf(r, v.row)))
      return `| ${v.what} | ${t(ours.median)} (${spread(ours, t)}) | ${t(go.median)} (${spread(go, t)}) | ${x(ratio.median)} | ${x(ratio.min)} – ${x(ratio.max)} | ≥ ${v.goal}× | ${ratio.median >= v.goal ? 'yes' : 'no'} |`
    }),
    '',
  ]
}

// -------------------------------------------------------------------------------------
// scaling
// -------------------------------------------------------------------------------------

interface Step {
  readonly small: string
  readonly big: string
  readonly goal: number
}

const steps: ReadonlyArray<Step> = [
  { small: 'scaling: 150 devices', big: 'scaling: 1500 devices', goal: 11 },
  ...['plan', 'plan + render', 'parse', 'diff'].flatMap((w) => [
    { small: `${w}: 1,000 devices`, big: `${w}: 10,000 devices`, goal: 11 },
    { small: `${w}: 10,000 devices`, big: `${w}: 100,000 devices`, goal: 11 },
  ]),
]

const stepTable = (rounds: ReadonlyArray<Round>): ReadonlyArray<string> => [
  '| step | ratio, median | spread | goal | met |',
  '|---|---:|---:|---:|:---:|',
  ...steps.map((s) => {
    const r = stat(rounds.map((x) => usOf(x, s.big) / usOf(x, s.small)))
    if (r.n === 0) return `| ${s.big} ÷ ${s.small} | not run | | ≤ ${s.goal}× | no |`
    return `| ${s.big} ÷ ${s.small} | ${x(r.median)} | ${x(r.min)} – ${x(r.max)} | ≤ ${s.goal}× | ${r.median <= s.goal ? 'yes' : 'no'} |`
  }),
]

// -------------------------------------------------------------------------------------
// the rest
// -------------------------------------------------------------------------------------

const startupSection = (s: Extras['startup']): string =>
  typeof s === 'string'
    ? `Start-up rows ${s}.`
    : [
        `Whole process, \`${s.command}\` (the bundled example), from the packed package installed in a fresh`,
        `project (\`bench/startup.ts\`: build, \`npm pack\`, install, then ${s.runs} interleaved rounds of the three commands).`,
        '',
        '| command | median | quartiles | ÷ `node -e 0` |',
        '|---|---:|---:|---:|',
        ...(
          [
            ['`node -e 0`', s.nodeMs],
            ['installed `qemu-plan argv` (dist/cli, bundled; goal ≤ 2.5× `node -e 0`)', s.cliMs],
            ['the same from the sources through tsx (what the bin ran before `npm run build`)', s.tsxMs],
          ] as const
        ).map(
          ([name, q]) =>
            `| ${name} | ${q.median.toFixed(0)} ms | ${q.p25.toFixed(0)}–${q.p75.toFixed(0)} ms | ${(q.median / s.nodeMs.median).toFixed(2)}× |`,
        ),
        '',
        `Goal ${s.ratio <= 2.5 ? 'met' : 'not met'}: ${s.ratio.toFixed(2)}×.`,
      ].join('\n')

const qmpSection = (q: Extras['qmp']): string =>
  typeof q === 'string'
    ? `QMP rows ${q}.`
    : [
        'x86_64 q35 under TCG, paused; `bench/qmp.ts` alternates blocks of client and raw-socket round trips',
        'on the same VM so drift hits both alike.',
        '',
        '| measure | median |',
        '|---|---:|',
        `| spawn → QMP ready (capabilities negotiated) | ${q.spawnToReadyMs.toFixed(1)} ms |`,
        `| \`query-status\` round trip, qemu-plan client | ${(q.queryStatusClientMs * 1000).toFixed(0)} µs |`,
        `| \`query-status\` round trip, bare unix socket, same bytes | ${(q.queryStatusRawMs * 1000).toFixed(0)} µs |`,
        `| client ÷ raw (target ≤ 1.10) | ${q.clientOverRaw.toFixed(3)} |`,
        `| hot-plug a virtio-blk disk (plan + blockdev-add + device_add) | ${q.hotplugBlockMs.toFixed(2)} ms |`,
      ].join('\n')

const allocSection = (a: Extras['alloc']): ReadonlyArray<string> =>
  typeof a === 'string'
    ? [`Bytes per plan ${a}.`]
    : [
        '| input | plan | render | plan + render | per device (plan + render) |',
        '|---|---:|---:|---:|---:|',
        ...(
          [
            ['typical (spec-typical.json)', a.typical],
            ['large (spec-large.json)', a.large],
          ] as const
        ).map(
          ([name, b]) =>
            `| ${name} | ${f(b.planBytes / 1024)} KiB | ${f(b.renderBytes / 1024)} KiB | ${f((b.planBytes + b.renderBytes) / 1024)} KiB | ${f((b.planBytes + b.renderBytes) / b.devices)} B |`,
        ),
        '',
        'Measured as heap growth over runs with no GC in them (`node --expose-gc --min-semi-space-size=256',
        '--max-semi-space-size=256 --import tsx bench/alloc.ts vtypical|vlarge`, which refuses a run in which any GC happened).',
      ]

// -------------------------------------------------------------------------------------
// the report
// -------------------------------------------------------------------------------------

export const report = (
  rounds: ReadonlyArray<Round>,
  versus: ReadonlyArray<Round>,
  ex: Extras,
  m: { cpu: string; cores: number; memGiB: number; node: string; qemu: string; go: string },
  command: string,
): string => {
  const names = rounds[0]?.rows.map((r) => r.name) ?? []
  const lines = [
    '# Benchmarks',
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memGiB} GiB RAM, shared with other jobs; Node ${m.node}; ${m.go}; ${m.qemu}.`,
    '',
    `Command: \`${command}\`. Each round runs every row in a fresh process (\`bench/rows.ts\`;`,
    'tinybench, 1.5 s per row after a warm-up, 3 s and at least 5 runs for the rows of 10,000 devices and more);',
    `a row's figure is the median of its ${rounds.length} round medians, and its spread is the lowest and the highest`,
    'round median. The file is rewritten by every run: every figure down to "CLI start-up" is from the run',
    'that wrote it; the notes after it (bench/notes.md) give each of their figures with its own command.',
    '',
    'The typical and large rows plan exactly `spec-typical.json` and `spec-large.json` of the Kata 1.9 vectors',
    "(test/fixtures/kata-1.9-vectors), the specs the original Go code's benchmark plans, turned into",
    "`configuration.toml` + `sandbox.json` by the vectors test's translation (test/support/kata-vectors.ts) and",
    "decoded through the public input types. Before timing, `bench/vectors.ts` plans each with the vectors'",
    "random stream and checks the argv against the vector's (doubled commas read back as one, katautils'",
    "systemd parameters added, as the vectors test does), then checks the timed function's own argv (seeded",
    'ids) the same way with the random iothread id masked. A timed op is the pure planner and renderer on',
    'decoded inputs (image size known, seeded ids); the embedded-service row adds the decoding of the',
    'sandbox JSON text, a synchronous `stat` of a real 128 MiB sparse image and ids from the OS CSPRNG.',
    '',
    '## Against the original Go code',
    '',
    ...versusTable(versus),
    '## Every row',
    '',
    '| row | median | spread (round medians) |',
    '|---|---:|---:|',
    ...names.flatMap((name) => {
      const s = stat(rounds.map((r) => usOf(r, name)))
      return [`| ${name} | ${t(s.median)} | ${spread(s, t)} |`]
    }),
    `| loadPlan path, example sandbox (read both files, awaited \`stat\`, crypto ids, plan, render; one run) | ${t(ex.effectsUs)} | |`,
    '',
    'The scaling rows of 15 to 1,500 devices plan s390x block drives on one CCW bridge; the rows of 1,000',
    'to 100,000 devices plan the same drives on two CCW bridges (2 × 65,535 device numbers), parse',
    "their qemu-dialect argv (`parseArgv`), and diff it against the same argv with the last drive's file",
    'changed (`diffArgv`, which parses both).',
    '',
    '## Scaling',
    '',
    ...stepTable(rounds),
    '',
    (() => {
      const p = stat(rounds.map((r) => usOf(r, 'parse: 100,000 devices')))
      return `Parsing 100,000 devices (goal < 1 s): ${t(p.median)} (${spread(p, t)}); goal ${p.median < 1e6 ? 'met' : 'not met'}.`
    })(),
    '',
    '## Memory',
    '',
    ...allocSection(ex.alloc),
    '',
    `Planning and rendering ${ex.rss.plans.toLocaleString('en')} typical sandboxes in one process (nothing kept) grew resident memory`,
    `by ${ex.rss.growthMiB.toFixed(1)} MiB (goal: < 20 MB; ${ex.rss.growthMiB * 1.048576 < 20 ? 'met' : 'not met'}), in ${(ex.rss.ms / 1000).toFixed(2)} s (\`node --expose-gc --import tsx bench/rss.ts 10000\`, after a GC at both ends).`,
    '',
    '## QMP on a real QEMU',
    '',
    qmpSection(ex.qmp),
    '',
    '## CLI start-up',
    '',
    startupSection(ex.startup),
    '',
  ]
  return `${lines.join('\n')}\n${readFileSync(new URL('./notes.md', import.meta.url), 'utf8')}`
}
