/**
 * `npm run build` (and `prepack`): writes dist/.
 *
 * - The library — `qemu-plan`, `qemu-plan/node`, `qemu-plan/testing` and everything they import —
 *   compiled by the pinned tsc (`tsconfig.build.json`) to ESM `.js`, `.d.ts` and maps, file for file.
 *   The sources import with `.ts` specifiers; `rewriteRelativeImportExtensions` rewrites them to
 *   `.js` in the JavaScript but leaves them as `.ts` in the declarations, which older TypeScript
 *   versions and some tools do not resolve, so they are rewritten here too (same length, so the
 *   declaration maps stay exact).
 * - The CLI, bundled by esbuild into dist/cli/ (what `bin/qemu-plan.js` runs once installed): one
 *   module to load instead of ~120, with fp-ts and io-ts taken from their ES module builds so
 *   unused code is dropped. `splitting` is on, so a command module loaded with `import()` becomes
 *   a chunk of its own that loads only when that command runs.
 *
 *   npm run build
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import * as esbuild from 'esbuild'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
const require = createRequire(import.meta.url)

const files = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))

rmSync(dist, { recursive: true, force: true })

// 1. the library
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
})
const relativeTs = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g
for (const f of files(dist).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(f, 'utf8')
  const rewritten = text.replace(relativeTs, (_, head: string, q: string, path: string) => `${head}${q}${path}.js${q}`)
  if (rewritten !== text) writeFileSync(f, rewritten)
}

// 2. the CLI
const fpTsEsm: esbuild.Plugin = {
  name: 'fp-ts-esm',
  setup: (b) => {
    b.onResolve({ filter: /^fp-ts\/lib\// }, (a) =>
      b.resolve(a.path.replace(/^fp-ts\/lib\//, 'fp-ts/es6/'), { kind: a.kind, resolveDir: a.resolveDir }),
    )
  },
}
const cli = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // ES module builds first (io-ts's `module`), so fp-ts/io-ts are tree-shaken like our own code
  mainFields: ['module', 'main'],
  plugins: [fpTsEsm],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})

// 3. the licenses of the packages bundled into the CLI (their code ships in dist/cli/)
const bundled = [
  ...new Set(Object.keys(cli.metafile.inputs).flatMap((p) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1] ?? [])),
].sort()
const notices = bundled.map((name) => {
  const dir = join(root, 'node_modules', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license?: string }
  const license = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f))
  if (license === undefined) throw new Error(`${name} has no LICENSE file to ship with the CLI bundle`)
  return `${name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${readFileSync(join(dir, license), 'utf8').trim()}\n`
})
writeFileSync(
  join(dist, 'cli', 'THIRD-PARTY-LICENSES.txt'),
  `The qemu-plan CLI bundle (dist/cli/) contains code from these packages:\n\n${notices.join('\n---\n\n')}`,
)
