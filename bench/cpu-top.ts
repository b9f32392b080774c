/**
 * Self time by function from the largest `.cpuprofile` in a directory (what `node --cpu-prof
 * --cpu-prof-dir=<dir>` wrote), as percentages of all samples.
 *
 *   npx tsx bench/cpu-top.ts <dir> [rows]
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
}

const dir = process.argv[2] ?? '.tmp/prof'
const rows = Number(process.argv[3] ?? 25)
const profiles = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile)
const p = profiles.sort((a, b) => b.samples.length - a.samples.length)[0]
if (p === undefined) throw new Error(`no .cpuprofile in ${dir}`)
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map<string, number>()
for (const id of p.samples) {
  const f = byId.get(id)?.callFrame
  const key = f === undefined ? '?' : `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + 1)
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows))
  console.log(`${((100 * v) / p.samples.length).toFixed(1).padStart(5)} %  ${k}`)
