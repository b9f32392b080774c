// One op of one compiled build (`npm run bench:compile` output, or bench/ab.sh's), timed in
// bursts of 50 ms after a warm-up: prints the median µs per op over the bursts. bench/ab.sh runs
// it for two builds in alternating processes (so neither build's code shares inline caches with
// the other's, and load from other jobs hits both alike).
//
//   node bench/ab-op.mjs <js root> <op> [ms=1500]
//
// ops: typical, typical-plan, typical-render, decode (the typical sandbox's JSON text), large-render, large, pairs-empty, pairs-busy, s15, s150, s1500,
// service, first-duplicate-large, first-duplicate-10k, make-bridges-1, make-bridges-5,
// plan-1k|10k|100k, parse-1k|10k|100k, diff-1k|10k (the scaling rows' inputs, `wide(n)`)
const [root, what, msArg] = process.argv.slice(2)
const ms = Number(msArg ?? 1500)

const load = async (root) => {
  const v = await import(`${root}/bench/vectors.js`)
  const inp = await import(`${root}/bench/inputs.js`)
  const { render } = await import(`${root}/src/core/render.js`)
  const { firstDuplicate } = await import(`${root}/src/arch/draft.js`)
  const { makeBridges } = await import(`${root}/src/core/bridges.js`)
  const { parseArgv } = await import(`${root}/src/core/parse/plan.js`)
  const { diffArgv } = await import(`${root}/src/core/diff/index.js`)
  const { decodeSandbox } = await import(`${root}/src/core/input/sandbox.js`)
  const typical = v.vectorInput('typical')
  const large = v.vectorInput('large')
  const planned = v.planVector(typical)
  const at = (x) => () => inp.planAndRender(x)
  const duplicatesIn = (ds) => () => firstDuplicate(ds)
  const ops = {
    typical: () => v.planAndRenderVector(typical),
    'typical-plan': () => v.planVector(typical),
    'typical-render': () => render(planned, 'govmm'),
    decode: () => decodeSandbox(JSON.parse(typical.sandboxText)),
    'large-render': (() => {
      const p = v.planVector(large)
      return () => render(p, 'govmm')
    })(),
    large: () => v.planAndRenderVector(large),
    'pairs-empty': () => inp.pairs(inp.emptyBridges),
    'pairs-busy': () => inp.pairs(inp.busyBridges),
    s15: at(inp.scaled(15)),
    s150: at(inp.scaled(150)),
    s1500: at(inp.scaled(1500)),
    'first-duplicate-large': duplicatesIn(v.planVector(large).devices),
    'first-duplicate-10k': duplicatesIn(inp.plan(inp.wide(10_000)).devices),
    'make-bridges-1': () => makeBridges('pci', 1),
    'make-bridges-5': () => makeBridges('pci', 5),
  }
  const sizes = { '1k': 1000, '10k': 10_000, '100k': 100_000 }
  const [kind, size] = what.split('-')
  if (['plan', 'parse', 'diff'].includes(kind) && size in sizes) {
    const x = inp.wide(sizes[size])
    if (kind === 'plan') return () => inp.plan(x)
    const { a, b } = inp.wideArgv(sizes[size])
    return kind === 'parse' ? () => parseArgv(a) : () => diffArgv(a, b)
  }
  if (what === 'service') {
    const s = v.serviceInput(typical)
    process.on('exit', s.dispose)
    return s.once
  }
  if (!(what in ops)) throw new Error(`unknown op ${what}`)
  return ops[what]
}

const f = await load(root)
const burst = () => {
  const t = performance.now()
  let n = 0
  while (performance.now() - t < 50) {
    f()
    n++
  }
  return ((performance.now() - t) * 1000) / n
}
for (let t = performance.now(); performance.now() - t < 300;) burst()
const xs = []
for (let t = performance.now(); performance.now() - t < ms;) xs.push(burst())
xs.sort((a, b) => a - b)
console.log(xs[xs.length >> 1])
