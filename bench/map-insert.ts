/**
 * What one insert into a JavaScript `Map` costs as the map grows: n fresh short strings (ids
 * sliced from option strings, as parse makes them) and n integers, into a new map, per size.
 * The id tables of parse, diff and the duplicate-id check are maps like these.
 *
 *   node --import tsx bench/map-insert.ts [rounds=5]
 */
import { median } from './stats.ts'

const rounds = Number(process.argv[2] ?? 5)
const perInsert = (n: number, keys: () => ReadonlyArray<string | number>): number => {
  const ks = keys()
  const t = performance.now()
  const m = new Map<string | number, number>()
  for (let i = 0; i < ks.length; i++) m.set(ks[i] as string | number, i)
  return ((performance.now() - t) * 1e6) / n
}
for (const n of [1000, 10_000, 100_000]) {
  const options = Array.from({ length: n }, (_, i) => `id=drive-${i},file=/var/lib/disks/d${i}.img,aio=threads`)
  const strings: Array<number> = []
  const ints: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    // fresh strings every round: a string's hash is computed on its first use as a key
    strings.push(perInsert(n, () => options.map((s) => s.slice(3, s.indexOf(',')))))
    ints.push(perInsert(n, () => Array.from({ length: n }, (_, i) => i * 7)))
  }
  console.log(
    `${n} inserts: fresh strings ${median(strings).toFixed(0)} ns each, integers ${median(ints).toFixed(0)} ns each (medians of ${rounds})`,
  )
}
