/**
 * Whole-process start-up of the installed CLI: `qemu-plan argv` of the bundled example (the
 * arguments of the README quick start's `npm start`), from the packed package installed into a
 * fresh project (scripts/consumer.ts, as a user gets it), against
 * `node -e 0`, and the same command run from the sources through tsx (what the bin ran before the
 * build). Runs are interleaved (one of each per round) so drift on a shared machine hits all alike;
 * prints JSON with medians and quartiles in ms.
 *
 *   npx tsx bench/startup.ts [--runs 30]
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packAndInstall, repoRoot } from '../scripts/consumer.ts'
import { quickStartArgs } from '../test/support/quick-start.ts'

export interface Startup {
  readonly runs: number
  readonly nodeMs: Quartiles
  readonly cliMs: Quartiles
  readonly tsxMs: Quartiles
  /** CLI median ÷ `node -e 0` median */
  readonly ratio: number
  readonly command: string
}
export interface Quartiles {
  readonly p25: number
  readonly median: number
  readonly p75: number
}

const quartiles = (xs: ReadonlyArray<number>): Quartiles => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number): number => {
    const i = q * (s.length - 1)
    const lo = s[Math.floor(i)] as number
    const hi = s[Math.ceil(i)] as number
    return lo + (hi - lo) * (i - Math.floor(i))
  }
  return { p25: at(0.25), median: at(0.5), p75: at(0.75) }
}

const time = (file: string, args: ReadonlyArray<string>): number => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(file, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

export const startup = async (runs: number): Promise<Startup> => {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-plan-startup-'))
  try {
    const { app } = await packAndInstall(dir)
    const cli = join(app, 'node_modules', '.bin', 'qemu-plan')
    const fromSources = join(repoRoot, 'bin', 'qemu-plan.js')
    const node: Array<number> = []
    const bundled: Array<number> = []
    const tsx: Array<number> = []
    for (let i = 0; i < 3; i++) time(cli, quickStartArgs) // warm the file cache
    for (let i = 0; i < runs; i++) {
      node.push(time(process.execPath, ['-e', '0']))
      bundled.push(time(cli, quickStartArgs))
      tsx.push(time(process.execPath, [fromSources, ...quickStartArgs]))
    }
    const nodeMs = quartiles(node)
    const cliMs = quartiles(bundled)
    return {
      runs,
      nodeMs,
      cliMs,
      tsxMs: quartiles(tsx),
      ratio: cliMs.median / nodeMs.median,
      command: `qemu-plan ${quickStartArgs.join(' ')}`,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--runs')
  console.log(JSON.stringify(await startup(i > 0 ? Number(process.argv[i + 1]) : 30)))
}
