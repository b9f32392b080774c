// One row of an older commit's `npm run bench` (the rows of fe24100's bench/run.ts), in a build
// made by bench/old-rows.sh: warmed up for 1.5 s, then timed in 30 bursts of about 20 ms; prints
// the median µs per op over the bursts.
//
//   node bench/old-row.mjs <js root> <row>
const [root, row] = process.argv.slice(2)
const { render } = await import(`${root}/src/core/render.js`)
const { decodeSandbox } = await import(`${root}/src/core/input/sandbox.js`)
const m = await import(`${root}/bench/inputs.js`)
const typicalPlan = m.plan(m.typical)
const scaled = (n) => {
  const x = m.scaled(n)
  return () => m.planAndRender(x)
}
const rows = {
  'typical-govmm': () => m.planAndRender(m.typical),
  'typical-qemu': () => m.planAndRender(m.typical, 'qemu'),
  large: () => m.planAndRender(m.large),
  'pairs-empty': () => m.pairs(m.emptyBridges),
  'pairs-busy': () => m.pairs(m.busyBridges),
  'pairs-curried': () => m.pairsCurried(m.emptyBridges),
  s15: scaled(15),
  s150: scaled(150),
  s1500: scaled(1500),
  'render-govmm': () => m.ok(render(typicalPlan, 'govmm')),
  'render-qemu': () => m.ok(render(typicalPlan, 'qemu')),
  decode: () => m.ok(decodeSandbox(JSON.parse(m.exampleSandboxText))),
}
const f = rows[row]
if (f === undefined) {
  console.error(`old-row: no row ${row} (rows: ${Object.keys(rows).join(', ')})`)
  process.exit(2)
}
const t0 = performance.now()
while (performance.now() - t0 < 1500) f()
let n = 1
for (;;) {
  const t = performance.now()
  for (let i = 0; i < n; i++) f()
  if (performance.now() - t > 20) break
  n *= 2
}
const xs = []
for (let b = 0; b < 30; b++) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) f()
  xs.push(Number(process.hrtime.bigint() - t) / n / 1000)
}
xs.sort((a, b) => a - b)
console.log(xs[15].toFixed(3))
