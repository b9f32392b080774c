/**
 * The package as its users get it: `npm run build`, `npm pack`, the tarball installed with its
 * dependencies into a fresh project (scripts/consumer.ts: from npm's cache, at the pinned versions),
 * and then, against that installed copy only:
 * - what the tarball holds (dist, sources for the maps, README, LICENSE; no tests, bench or CI);
 * - plain `node` importing `qemu-plan`, `qemu-plan/node` and `qemu-plan/testing` by name, and
 *   `require()` of each (Node 20.19+ loads ES modules that have no top-level await);
 * - `qemu-plan` loading no Node module: it bundles for the browser and runs with no Node globals;
 * - TypeScript consumers type-checking under `nodenext` (ESM and CommonJS) and `bundler`, strict,
 *   `skipLibCheck: false`, and the internals staying unreachable;
 * - the installed `qemu-plan` command printing what the sources print;
 * - publint and Are the Types Wrong on the tarball;
 * - every code example of the docs compiled and run (test/consumer/examples.ts says which).
 * The build and install happen once, in beforeAll, for the whole file.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runInNewContext } from 'node:vm'
import * as esbuild from 'esbuild'
import * as E from 'fp-ts/lib/Either.js'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packAndInstall, repoRoot, type Installed } from '../../scripts/consumer.ts'
import { planSandbox } from '../../src/arch/planner.ts'
import { dispatch } from '../../src/cli/dispatch.ts'
import { seededIds } from '../../src/core/ids.ts'
import { decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import { render } from '../../src/core/render.ts'
import { quickStartArgs } from '../support/quick-start.ts'
import { allExamples, importsOf, type Example } from './examples.ts'

const require = createRequire(import.meta.url)
const exec = promisify(execFile)
const tsc = require.resolve('typescript/bin/tsc')

let dir = ''
let c: Installed

/** The slow checks (tsc, attw), started together once the package is installed; each test awaits its own. */
type Job = Promise<{ code: number; stdout: string; stderr: string }>
const jobs: Record<string, Job> = {}
const jobTimeout = 180_000
const started: Array<() => void> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qemu-plan-consumer-'))
  c = await packAndInstall(dir)
  for (const start of started) start()
}, 240_000)

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

const write = (path: string, text: string): string => {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

/** Run a command; its exit status and output, never a throw. */
const sh = async (file: string, args: ReadonlyArray<string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await exec(file, [...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 170_000 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string }
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: `${x.stderr ?? ''}${String(e)}` }
  }
}

// A small sandbox, and the argv the sources render for it (the package must render the same)
const small = {
  config: { hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35' } } },
  sandbox: {
    arch: 'amd64',
    id: 'sb1',
    uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
    // every host fact given: loading from files fills in only what a sandbox leaves out
    host: { memoryMiB: 4096, nested: false, cpus: 4 },
    devices: [{ kind: 'block', id: 'disk0', file: '/var/lib/disk0.img', format: 'raw' }],
  },
}
const fromSources = (): ReadonlyArray<string> => {
  const config = decodeConfig(small.config)
  const sandbox = decodeSandbox(small.sandbox)
  if (E.isLeft(config) || E.isLeft(sandbox)) throw new Error('the small sandbox does not decode')
  const plan = planSandbox(config.right.value, sandbox.right.value, {}, seededIds(1))
  const r = E.isRight(plan) ? render(plan.right, 'qemu') : plan
  if (E.isLeft(r)) throw new Error(r.left._tag)
  return [r.right.binary, ...r.right.args]
}

describe('the tarball', () => {
  it('holds dist (js, d.ts, maps), the sources the maps point to, the bin, README and LICENSE, and nothing else', () => {
    const must = [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/qemu-plan.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.d.ts.map',
      'dist/index.js.map',
      'dist/node.js',
      'dist/node.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/cli/main.js',
      'dist/cli/THIRD-PARTY-LICENSES.txt',
      'src/index.ts',
    ]
    for (const f of must) expect(c.files, f).toContain(f)
    const stray = c.files.filter(
      (f) => !/^(dist\/|src\/|bin\/qemu-plan\.js$|package\.json$|README\.md$|LICENSE$)/.test(f) || f.startsWith('src/cli/'),
    )
    expect(stray).toEqual([])
  })

  it('has the full Apache-2.0 text as LICENSE', () => {
    const text = readFileSync(join(c.pkg, 'LICENSE'), 'utf8')
    for (const s of [
      'Apache License',
      'Version 2.0, January 2004',
      'TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION',
      '9. Accepting Warranty or Additional Liability.',
      'END OF TERMS AND CONDITIONS',
    ])
      expect(text).toContain(s)
  })

  it('declares fp-ts as a peer, fast-check as an optional peer, and no build tool as a dependency', () => {
    const m = JSON.parse(readFileSync(join(c.pkg, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>
    expect(Object.keys(m.dependencies ?? {}).sort()).toEqual(['immer', 'io-ts', 'smol-toml'])
    expect(Object.keys(m.peerDependencies ?? {}).sort()).toEqual(['fast-check', 'fp-ts'])
    expect(m.peerDependenciesMeta).toEqual({ 'fast-check': { optional: true } })
  })

  it('has declarations whose relative imports name .js files that are in it', () => {
    const dts = c.files.filter((f) => f.endsWith('.d.ts'))
    expect(dts.length).toBeGreaterThan(20)
    for (const f of dts) {
      const text = readFileSync(join(c.pkg, f), 'utf8')
      for (const m of text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const spec = m[1] as string
        expect(spec, `${f} imports ${spec}`).toMatch(/\.js$/)
        expect(existsSync(join(c.pkg, f, '..', spec.replace(/\.js$/, '.d.ts'))), `${f} imports ${spec}`).toBe(true)
      }
    }
  })
})

describe('plain node', () => {
  it('imports qemu-plan, qemu-plan/node and qemu-plan/testing by name and renders the argv', async () => {
    const cfg = write(join(c.app, 'small', 'config.json'), JSON.stringify(small.config))
    const sbx = write(join(c.app, 'small', 'sandbox.json'), JSON.stringify(small.sandbox))
    const script = write(
      join(c.app, 'esm.mjs'),
      `import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { decodeConfig, decodeSandbox, planSandbox, render, seededIds } from 'qemu-plan'
import { loadPlan } from 'qemu-plan/node'
import { allArches, arbitraryScenario } from 'qemu-plan/testing'
const ok = (e) => { if (E.isLeft(e)) throw new Error(JSON.stringify(e.left)); return e.right }
const input = JSON.parse(process.argv[2])
const plan = ok(planSandbox(ok(decodeConfig(input.config)).value, ok(decodeSandbox(input.sandbox)).value, {}, seededIds(1)))
const r = ok(render(plan, 'qemu'))
const loaded = ok(await loadPlan({ configPath: process.argv[3], sandboxPath: process.argv[4], seed: 1 })())
const r2 = ok(render(loaded.plan, 'qemu'))
const scenarios = fc.sample(arbitraryScenario('arm64'), { numRuns: 5, seed: 1 })
const decoded = scenarios.filter((s) => E.isRight(decodeConfig(s.config)) && E.isRight(decodeSandbox(s.sandbox))).length
console.log(JSON.stringify({ argv: [r.binary, ...r.args], fromFiles: [r2.binary, ...r2.args], allArches, decoded }))
`,
    )
    const r = await sh(process.execPath, [script, JSON.stringify(small), cfg, sbx], c.app)
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {
      argv: ReadonlyArray<string>
      fromFiles: ReadonlyArray<string>
      allArches: ReadonlyArray<string>
      decoded: number
    }
    expect(out.argv.slice(0, 6)).toEqual([
      '/usr/bin/qemu-system-x86_64',
      '-name',
      'sandbox-sb1',
      '-uuid',
      '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
      '-machine',
    ])
    expect(out.argv.some((a) => a.includes('file=/var/lib/disk0.img'))).toBe(true)
    expect(out.argv).toEqual(fromSources())
    expect(out.fromFiles).toEqual(out.argv)
    expect(out.allArches).toEqual(['amd64', 'arm64', 'ppc64le', 's390x'])
    expect(out.decoded).toBe(5)
  })

  it('require()s all three entry points from CommonJS (Node 20.19+: an ES module without top-level await)', async () => {
    const script = write(
      join(c.app, 'cjs.cjs'),
      `const E = require('fp-ts/lib/Either.js')
const q = require('qemu-plan')
const n = require('qemu-plan/node')
const t = require('qemu-plan/testing')
const ok = (e) => { if (E.isLeft(e)) throw new Error(JSON.stringify(e.left)); return e.right }
const input = JSON.parse(process.argv[2])
const plan = ok(q.planSandbox(ok(q.decodeConfig(input.config)).value, ok(q.decodeSandbox(input.sandbox)).value, {}, q.seededIds(1)))
const r = ok(q.render(plan, 'qemu'))
console.log(JSON.stringify({ argv: [r.binary, ...r.args], node: typeof n.loadPlan + ' ' + typeof n.connect, testing: typeof t.arbitraryScenario }))
`,
    )
    const r = await sh(process.execPath, [script, JSON.stringify(small)], c.app)
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ argv: fromSources(), node: 'function function', testing: 'function' })
  })
})

describe('qemu-plan in a browser or a worker', () => {
  const bundle = (entry: string, format: 'esm' | 'iife'): Promise<esbuild.BuildResult<{ write: false; metafile: true }>> =>
    esbuild.build({
      stdin: { contents: `export * from '${entry}'`, resolveDir: c.app, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format,
      globalName: 'qemuPlan',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })

  it('bundles for platform browser: nothing reachable from it imports a node: module', async () => {
    const r = await bundle('qemu-plan', 'esm')
    const inputs = Object.keys(r.metafile.inputs)
    expect(inputs.some((p) => p.includes('node_modules/qemu-plan/dist/core/render.js'))).toBe(true)
    expect(inputs.filter((p) => p.startsWith('node:') || !/\.(js|cjs|mjs|json)$|^<stdin>$/.test(p))).toEqual([])
  })

  it('whereas qemu-plan/node does not bundle for the browser (the check above can fail)', async () => {
    const e = await bundle('qemu-plan/node', 'esm').then(
      () => undefined,
      (x: unknown) => x as { errors?: ReadonlyArray<{ text: string }> },
    )
    expect(e?.errors?.map((x) => x.text).join('\n')).toMatch(/node:(fs|crypto|child_process|net)/)
  })

  it('runs with no Node global (a bare V8 context and the Web APIs it uses): plans and renders the small sandbox', async () => {
    const code = (await bundle('qemu-plan', 'iife')).outputFiles?.[0]?.text ?? ''
    // no process, Buffer, require, setTimeout …: only what a browser or a worker has as well
    const context: Record<string, unknown> = { input: small, TextEncoder, TextDecoder }
    const argv = runInNewContext(
      `${code}
const q = qemuPlan
const ok = (e) => { if (e._tag === 'Left') throw new Error(JSON.stringify(e.left)); return e.right }
const plan = ok(q.planSandbox(ok(q.decodeConfig(input.config)).value, ok(q.decodeSandbox(input.sandbox)).value, {}, q.seededIds(1)))
const r = ok(q.render(plan, 'qemu'))
JSON.stringify([r.binary, ...r.args])`,
      context,
    ) as string
    expect(runInNewContext('[typeof process, typeof Buffer, typeof require]', context)).toEqual(['undefined', 'undefined', 'undefined'])
    expect(JSON.parse(argv)).toEqual(fromSources())
  })
})

describe('a TypeScript consumer (the pinned tsc, strict, skipLibCheck false)', () => {
  const consumer = `import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Arbitrary } from 'fast-check'
import { decodeConfig, decodeSandbox, hotplugBlock, planSandbox, render, seededIds, toMessage, type Plan, type PlanError, type Rendered } from 'qemu-plan'
import { execute, loadPlan, type Failed, type Loaded, type QmpClient } from 'qemu-plan/node'
import { arbitraryScenario, type Arch } from 'qemu-plan/testing'

export const argv: E.Either<PlanError, Rendered> = pipe(
  E.Do,
  E.bind('config', () => decodeConfig({ hypervisor: { qemu: { kernel: '/k', initrd: '/i' } } })),
  E.bindW('sandbox', () => decodeSandbox({ arch: 'amd64', id: 'a', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 4096, nested: false, cpus: 4 } })),
  E.flatMap(({ config, sandbox }): E.Either<PlanError, Plan> => planSandbox(config.value, sandbox.value, {}, seededIds(1))),
  E.flatMap((plan) => render(plan, 'govmm')),
)
export const message: string = E.isLeft(argv) ? toMessage(argv.left) : argv.right.binary
export const load = (configPath: string, sandboxPath: string): TE.TaskEither<PlanError, Loaded> => loadPlan({ configPath, sandboxPath })
export const addDisk = (qmp: QmpClient, plan: Plan): TE.TaskEither<Failed | PlanError, Plan> =>
  pipe(TE.fromEither(hotplugBlock(plan, { id: 'd1', file: '/d1.img', format: 'raw' })), TE.flatMap((h) => execute(qmp, h)))
const arch: Arch = 'amd64'
export const scenarios: Arbitrary<{ config: unknown; sandbox: unknown; imageSizeBytes: number }> = arbitraryScenario(arch)
`
  const internals = `// the internals are not part of the package: each line must be an error
// @ts-expect-error deep imports are not exported
export const deep = import('qemu-plan/dist/core/slots.js')
// @ts-expect-error the persistent slot maps are internal
export { slots } from 'qemu-plan'
// @ts-expect-error the effects are not in the pure entry point
export { loadPlan } from 'qemu-plan'
`
  const commonjs = `import q = require('qemu-plan')
import n = require('qemu-plan/node')
export const ids = q.seededIds(1)
export const load: typeof n.loadPlan = n.loadPlan
`
  // what a browser program sees: no @types/node, DOM lib
  const browser = `import { decodeSandbox, render, planSandbox, type Plan } from 'qemu-plan'
export const f = (p: Plan) => render(p, 'qemu')
export const g = [decodeSandbox, planSandbox] as const
`
  const base = {
    target: 'ES2022',
    lib: ['ES2022'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
  }
  const setups: Record<string, { readonly options: Record<string, unknown>; readonly files: Record<string, string> }> = {
    nodenext: {
      options: { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
      files: { 'consumer.ts': consumer, 'internals.ts': internals, 'commonjs.cts': commonjs },
    },
    bundler: {
      options: { module: 'preserve', moduleResolution: 'bundler', types: ['node'] },
      files: { 'consumer.ts': consumer, 'internals.ts': internals },
    },
    browser: {
      options: { module: 'esnext', moduleResolution: 'bundler', types: [], lib: ['ES2022', 'DOM'] },
      files: { 'browser.ts': browser },
    },
  }
  for (const [name, { options, files }] of Object.entries(setups))
    started.push(() => {
      const d = join(c.app, 'ts', name)
      for (const [f, text] of Object.entries(files)) write(join(d, f), text)
      write(join(d, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, ...options }, files: Object.keys(files) }))
      jobs[`tsc ${name}`] = sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], d)
    })
  const check = async (name: string): Promise<void> => {
    const r = await (jobs[`tsc ${name}`] as Job)
    expect(`${r.stdout}${r.stderr}`.trim(), name).toBe('')
    expect(r.code).toBe(0)
  }

  // the jobs started in beforeAll: on a busy machine they may still be running when these start
  it('module nodenext: ESM, and CommonJS require() (TypeScript 5.8+)', () => check('nodenext'), jobTimeout)
  it('moduleResolution bundler', () => check('bundler'), jobTimeout)
  it('moduleResolution bundler in a browser program: qemu-plan needs no @types/node', () => check('browser'), jobTimeout)
})

describe('the installed qemu-plan command', () => {
  const example = [...quickStartArgs]

  it('runs the bundled CLI (not tsx) and prints what the sources print', async () => {
    expect(existsSync(join(c.pkg, 'tsconfig.json'))).toBe(false) // so bin/qemu-plan.js takes dist/cli
    expect(existsSync(join(c.pkg, 'node_modules', 'tsx')) || existsSync(join(c.app, 'node_modules', 'tsx'))).toBe(false)
    let out = ''
    let err = ''
    const code = await dispatch(example, { out: (s) => (out += s), err: (s) => (err += s) })
    const r = await sh(join(c.app, 'node_modules', '.bin', 'qemu-plan'), example, repoRoot)
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: out, stderr: err })
    expect(r.stdout).toMatch(/^\/usr\/bin\/qemu-system-x86_64 -name sandbox-example /)
  })

  it('keeps the exit statuses: --help 0, an unknown command 2, a missing file 1', async () => {
    const bin = join(c.app, 'node_modules', '.bin', 'qemu-plan')
    expect((await sh(bin, ['--help'], c.app)).code).toBe(0)
    expect((await sh(bin, ['no-such-command'], c.app)).code).toBe(2)
    const missing = await sh(bin, ['argv', '--config', 'nope.toml', '--sandbox', 'nope.json'], c.app)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^Io: /)
  })
})

describe('package linters', () => {
  it('publint (strict, down to suggestions) finds nothing in the tarball', async () => {
    const tarball = readFileSync(c.tarball)
    const { messages, pkg } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'suggestion',
      strict: true,
    })
    expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([])
  })

  started.push(() => {
    const cli = join(require.resolve('@arethetypeswrong/cli/package.json'), '..', 'dist', 'index.js')
    jobs.attw = sh(process.execPath, [cli, c.tarball, '--format', 'json'], c.app)
  })
  it(
    'Are the Types Wrong finds only what it cannot know',
    async () => {
      const r = await (jobs.attw as Job)
      const problems = (
        JSON.parse(r.stdout) as { analysis: { problems: ReadonlyArray<{ kind: string; entrypoint: string; resolutionKind: string }> } }
      ).analysis.problems
      // Accepted, for each entry point:
      // - NoResolution under node10: TypeScript's legacy `moduleResolution: node10` does not read the
      //   exports map. This package is ESM for Node ≥ 20.19; node10 is for CommonJS-era setups.
      // - CJSResolvesToESM under node16 from CommonJS: attw judges with its own TypeScript 5.6, which
      //   predates require() of ESM under `module: nodenext` (TypeScript 5.8). The TypeScript test
      //   above type-checks exactly that (commonjs.cts), and plain `node` runs it.
      const accepted = (p: { kind: string; resolutionKind: string }): boolean =>
        (p.kind === 'NoResolution' && p.resolutionKind === 'node10') || (p.kind === 'CJSResolvesToESM' && p.resolutionKind === 'node16-cjs')
      expect(problems.length, r.stderr).toBeGreaterThan(0) // attw ran and judged the entry points
      expect(problems.filter((p) => !accepted(p))).toEqual([])
      expect(new Set(problems.map((p) => p.entrypoint))).toEqual(new Set(['.', './node', './testing']))
    },
    jobTimeout,
  )
})

describe('documentation examples, compiled and run against the installed package', () => {
  const examples = allExamples(repoRoot)
  // two examples the harness must reject, so a harness that passes everything fails here
  const selfCheck: ReadonlyArray<Example> = [
    { name: 'selfcheck-type-error', where: 'this test', lang: 'ts', code: `import { render } from 'qemu-plan'\nrender(42, 'qemu')\n` },
    {
      name: 'selfcheck-throws',
      where: 'this test',
      lang: 'ts',
      code: `import { seededIds } from 'qemu-plan'\nif (seededIds(1).hex16('x').length === 16) throw new Error('thrown')\n`,
    },
  ]
  const exdir = (): string => join(c.app, 'examples')
  const ext = (e: Example): string => (e.lang === 'ts' ? 'ts' : 'js')
  started.push(() => {
    for (const e of [...examples, ...selfCheck]) write(join(exdir(), 'src', `${e.name}.${ext(e)}`), `${e.code}\nexport {}\n`)
    write(
      join(exdir(), 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          allowJs: true,
          checkJs: true,
          rootDir: 'src',
          outDir: 'out',
        },
        include: ['src'],
      }),
    )
    // one node process runs every compiled example in turn (each a module of its own) and reports each
    write(
      join(exdir(), 'run.mjs'),
      `const results = {}
for (const name of process.argv.slice(2)) {
  try {
    await import(new URL('./out/' + name + '.js', import.meta.url).href)
    results[name] = ''
  } catch (e) {
    results[name] = String(e && e.stack || e)
  }
}
console.log(JSON.stringify(results))
`,
    )
    jobs.examples = sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], exdir()).then(async (compiled) => {
      diagnostics = `${compiled.stdout}${compiled.stderr}`
      return sh(
        process.execPath,
        [join(exdir(), 'run.mjs'), ...[...examples, ...selfCheck].filter((e) => e.notRun === undefined).map((e) => e.name)],
        repoRoot,
      )
    })
  })
  let diagnostics = ''
  let failures: Readonly<Record<string, string>> = {}
  beforeAll(async () => {
    const r = await (jobs.examples as Job)
    if (r.code !== 0) throw new Error(`the examples' runner failed: ${r.stderr}`)
    failures = JSON.parse(r.stdout) as Record<string, string>
  }, jobTimeout)

  const errorsOf = (e: Example): string =>
    diagnostics
      .split('\n')
      .filter((l) => l.startsWith(`src/${e.name}.${ext(e)}(`))
      .join('\n')
  const failureOf = (e: Example): string | undefined => failures[e.name]

  it('finds the examples of README.md, docs/ and the TSDoc, each importing qemu-plan by package name', () => {
    expect(examples.filter((e) => e.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(1)
    expect(examples.filter((e) => e.where.startsWith('docs/')).length).toBeGreaterThanOrEqual(1)
    expect(examples.filter((e) => e.where.startsWith('src/')).length).toBeGreaterThanOrEqual(10)
    for (const e of examples) {
      const imports = importsOf(e.code)
      expect(imports.filter((s) => s.startsWith('qemu-plan')).length, `${e.where} imports qemu-plan`).toBeGreaterThan(0)
      expect(
        imports.filter(
          (s) => s.startsWith('.') || (s.startsWith('qemu-plan') && !['qemu-plan', 'qemu-plan/node', 'qemu-plan/testing'].includes(s)),
        ),
        e.where,
      ).toEqual([])
    }
  })

  it('rejects an example that does not type-check, and one that throws', () => {
    const [typeError, throws] = selfCheck as [Example, Example]
    expect(errorsOf(typeError)).toMatch(/error TS2345/)
    expect(errorsOf(throws)).toBe('')
    expect(failureOf(throws)).toMatch(/^Error: thrown/)
  })

  for (const e of examples) {
    it(`${e.where}${e.notRun === undefined ? '' : ` (type-checked only: ${e.notRun})`}`, () => {
      expect(errorsOf(e), e.code).toBe('')
      if (e.notRun !== undefined) return
      expect(failureOf(e), e.code).toBe('')
    })
  }
})
