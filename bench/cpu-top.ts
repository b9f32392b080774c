/**
 * Self time by function from the largest `.cpuprofile` in a directory (what `node --cpu-prof
 * --cpu-prof-dir=<dir>` wrote), as percentages of all samples. With `--lines f,g`, the source
 * lines of functions `f` and `g` instead (V8's line ticks; an inlined callee's time is on the
 * caller's line that calls it).
 *
 *   npx tsx bench/cpu-top.ts <dir> [rows] [--lines f,g]
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly positionTicks?: ReadonlyArray<{ readonly line: number; readonly ticks: number }>
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
}

const at = process.argv.indexOf('--lines')
const lines = at < 0 ? undefined : new Set((process.argv[at + 1] ?? '').split(','))
const positional = process.argv.slice(2).filter((_, i, all) => all[i] !== '--lines' && all[i - 1] !== '--lines')
const dir = positional[0] ?? '.tmp/prof'
const rows = Number(positional[1] ?? 25)
const profiles = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile)
const p = profiles.sort((a, b) => b.samples.length - a.samples.length)[0]
if (p === undefined) throw new Error(`no .cpuprofile in ${dir}`)
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map<string, number>()
if (lines !== undefined)
  for (const n of p.nodes)
    if (lines.has(n.callFrame.functionName))
      for (const t of n.positionTicks ?? []) {
        const key = `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-2).join('/')}:${t.line}`
        self.set(key, (self.get(key) ?? 0) + t.ticks)
      }
for (const id of lines === undefined ? p.samples : []) {
  const f = byId.get(id)?.callFrame
  const key = f === undefined ? '?' : `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + 1)
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows))
  console.log(`${((100 * v) / p.samples.length).toFixed(1).padStart(5)} %  ${k}`)
