/**
 * `npm run bench`: the benchmark suite. Runs `--rounds` rounds (default 3); each round runs every
 * row in a fresh process (`bench/rows.ts`, and `bench/rows.ts --go-placement` for the row that
 * changes the amd64 record). Each row's figure is the median of its round medians, with the
 * spread (lowest and highest round median). Then the rows that need a process of their own
 * (bytes per plan, RSS growth, QMP, CLI start-up) run once, and BENCHMARKS.md is written.
 *
 *   npm run bench [-- --quick] [-- --no-qemu] [-- --rounds N] [-- --pin CPU] [-- --between '<command>' [--versus-rounds M]] [-- --only <text>] [-- --report-only]
 *
 * With `--between`, M short rounds (default 10) follow: the rows set beside the original Go code
 * (`bench/rows.ts --versus`, and the Go-placement row), then at once the `--between` command,
 * whose output should hold `go test -bench` lines of the Go benchmarks (BenchmarkArgvTypical, …).
 * Each short round's Go figures are set beside ours from the same round (seconds apart, so under
 * the same load), and the report gives Go ÷ ours per row with its spread. `--only` runs one round
 * of the matching rows and writes nothing;
 * `--report-only` rewrites BENCHMARKS.md from the last run's figures (.tmp/bench-run.json).
 */
import { execFileSync, execSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { Extras } from './extra.ts'
import type { Row } from './rows.ts'

// an unknown flag (or --help) prints the usage above instead of starting a long run
const usage =
  "usage: npm run bench [-- --quick] [-- --no-qemu] [-- --rounds N] [-- --pin CPU] [-- --between '<command>' [--versus-rounds M]] [-- --only <text>] [-- --report-only]"
{
  const valued = new Set(['--rounds', '--pin', '--between', '--versus-rounds', '--only'])
  const bare = new Set(['--quick', '--no-qemu', '--report-only'])
  const args = process.argv.slice(2)
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    if (a === '--help' || a === '-h') {
      console.log(usage)
      process.exit(0)
    }
    if (valued.has(a) && i + 1 < args.length) i++
    else if (!bare.has(a)) {
      console.error(`bench: ${valued.has(a) ? `${a} needs a value` : `unknown argument ${JSON.stringify(a)}`}\n${usage}`)
      process.exit(2)
    }
  }
}

const argOf = (flag: string): string | undefined => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined)
const quick = process.argv.includes('--quick')
const noQemu = process.argv.includes('--no-qemu')
const only = argOf('--only')
const rounds = only !== undefined ? 1 : Number(argOf('--rounds') ?? 3)
const between = argOf('--between')
const versusRounds = Number(argOf('--versus-rounds') ?? 10)
for (const [flag, n] of [
  ['--rounds', rounds],
  ['--versus-rounds', versusRounds],
] as const) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: ${flag} must be a whole number of at least 1, not ${JSON.stringify(argOf(flag))}\n${usage}`)
    process.exit(2)
  }
}

const rowsScript = new URL('./rows.ts', import.meta.url).pathname
// `--pin <cpu>`: run the rows on one CPU (taskset), so that a machine whose CPUs run at different
// speeds (a busy neighbour on one of them) does not decide the figure by where a process lands
const pin = argOf('--pin')
const runRows = (extra: ReadonlyArray<string>): ReadonlyArray<Row> => {
  const argv = ['--import', 'tsx', rowsScript, ...(quick ? ['--quick'] : []), ...(only !== undefined ? ['--only', only] : []), ...extra]
  const out = execFileSync(
    pin === undefined ? process.execPath : 'taskset',
    pin === undefined ? argv : ['-c', pin, process.execPath, ...argv],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  )
  return (JSON.parse(out.trim().split('\n').pop() as string) as { rows: ReadonlyArray<Row> }).rows
}

/** One `go test -bench` result line: name without the -N suffix, ns/op. */
export const goLines = (text: string): ReadonlyArray<{ readonly name: string; readonly ns: number }> =>
  text.split('\n').flatMap((l) => {
    const m = /^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op/.exec(l)
    return m ? [{ name: m[1] as string, ns: Number(m[2]) }] : []
  })

export interface Round {
  readonly rows: ReadonlyArray<Row>
  /** Go benchmark name → µs per op (median of the round's lines for it). */
  readonly go: Readonly<Record<string, number>>
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

const saved = new URL('../.tmp/bench-run.json', import.meta.url)

const main = async (): Promise<void> => {
  if (process.argv.includes('--report-only')) {
    // BENCHMARKS.md again from the last run's figures (after bench/notes.md changed)
    const r = JSON.parse(readFileSync(saved, 'utf8')) as Saved
    writeFileSync(
      new URL('../BENCHMARKS.md', import.meta.url),
      (await import('./report.ts')).report(r.rounds, r.versus, r.extra, r.machine, r.command),
    )
    console.log('wrote BENCHMARKS.md from .tmp/bench-run.json')
    return
  }
  const all: Array<Round> = []
  for (let i = 0; i < rounds; i++) {
    const rows = [...runRows([]), ...(only === undefined || "large, Go's placement".includes(only) ? runRows(['--go-placement']) : [])]
    for (const r of rows)
      console.log(`round ${i + 1}: ${r.name.padEnd(60)} ${r.medianUs.toFixed(2).padStart(12)} µs  (${r.samples} samples)`)
    all.push({ rows, go: {} })
  }
  if (only !== undefined) return
  // the rows set beside Go: short rounds, each followed at once by the Go benchmarks
  const versus: Array<Round> = []
  for (let i = 0; between !== undefined && i < versusRounds; i++) {
    const rows = [...runRows(['--versus']), ...runRows(['--go-placement'])]
    const text = execSync(between, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 })
    const by = new Map<string, Array<number>>()
    for (const l of goLines(text)) by.set(l.name, [...(by.get(l.name) ?? []), l.ns / 1000])
    const go = Object.fromEntries([...by].map(([k, v]) => [k, median(v)]))
    console.log(
      `versus round ${i + 1}: ${rows.map((r) => `${r.name.split(':')[0]} ${r.medianUs.toFixed(1)}`).join('; ')}; Go ${JSON.stringify(go)}`,
    )
    versus.push({ rows, go })
  }
  mkdirSync(new URL('../.tmp/', import.meta.url), { recursive: true })
  writeFileSync(saved, `${JSON.stringify({ rounds: all, versus }, null, 1)}\n`)
  const extra = await import('./extra.ts').then((m) => m.extras({ quick, noQemu }))
  const command = `npm run bench${
    process.argv.length > 2
      ? ` -- ${process.argv
          .slice(2)
          .map((a) => (/\s/.test(a) ? `'${a}'` : a))
          .join(' ')}`
      : ''
  }`
  const m = machine()
  const out: Saved = { rounds: all, versus, extra, machine: m, command }
  writeFileSync(saved, `${JSON.stringify(out, null, 1)}\n`)
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), (await import('./report.ts')).report(all, versus, extra, m, command))
  console.log('wrote BENCHMARKS.md')
}

interface Saved {
  readonly rounds: ReadonlyArray<Round>
  readonly versus: ReadonlyArray<Round>
  readonly extra: Extras
  readonly machine: ReturnType<typeof machine>
  readonly command: string
}

const machine = (): { cpu: string; cores: number; memGiB: number; node: string; qemu: string; go: string } => {
  const version = (cmd: string, args: ReadonlyArray<string>): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? ''
    } catch {
      return 'not installed'
    }
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    qemu: version('qemu-system-x86_64', ['--version']),
    go: version('go', ['version']),
  }
}

await main()
