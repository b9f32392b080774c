/**
 * The dependency rule of the design card, checked on the sources: `core` imports only fp-ts, io-ts,
 * immer and itself; `arch` adds `core`; `effects` adds `arch` and Node; nothing imports `effects`
 * except `src/node.ts` (the `qemu-plan/node` entry point) and the CLI, so `src/index.ts` (`qemu-plan`)
 * loads no Node module; and there are no import cycles. And what imports cannot show: no code in
 * `core` or `arch` reads the clock, draws randomness, or reaches the process or the global object
 * (the same inputs give the same argv).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const src = resolve(import.meta.dirname, '../../src')
const files = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

const imports = (file: string): ReadonlyArray<string> =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string)

const layer = (file: string): string => relative(src, file).split('/')[0] ?? ''

const all = files(src)
const graph = new Map(all.map((f) => [f, imports(f)]))

describe('layering', () => {
  it('finds the sources', () => expect(all.length).toBeGreaterThan(10))

  for (const [file, deps] of graph) {
    const l = layer(file)
    it(`${relative(src, file)} respects the dependency rule`, () => {
      for (const d of deps) {
        if (d.startsWith('.')) {
          const target = layer(resolve(dirname(file), d))
          if (l === 'core') expect(target, d).toBe('core')
          if (l === 'arch') expect(['core', 'arch'], d).toContain(target)
          if (l === 'effects') expect(['core', 'arch', 'effects'], d).toContain(target)
          if (target === 'effects') expect(['effects', 'cli', 'node.ts'], `${file} imports effects`).toContain(l)
        } else if (l === 'core' || l === 'arch' || l === 'index.ts') {
          expect(/^(fp-ts|io-ts|immer)(\/|$)/.test(d), `${relative(src, file)} imports ${d}`).toBe(true)
        }
      }
    })
  }

  // code, not comments or strings: a call of the clock, randomness, timers or the process
  const impure =
    /\b(Date\s*\.\s*now|new\s+Date|Math\s*\.\s*random|performance\s*\.|process\s*\.|globalThis|setTimeout|setInterval|setImmediate|queueMicrotask|crypto\s*\.|require\s*\()/
  const code = (text: string): string =>
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
  for (const file of all.filter((f) => layer(f) === 'core' || layer(f) === 'arch')) {
    it(`${relative(src, file)} reads no clock, randomness or process`, () => {
      const hit = impure.exec(code(readFileSync(file, 'utf8')))
      expect(hit?.[0], relative(src, file)).toBeUndefined()
    })
  }
  it('would notice a clock read (the check itself)', () => {
    expect(impure.test(code('const t = Date.now() // a comment'))).toBe(true)
    expect(impure.test(code('/** Date.now() */ const s = "Math.random()"'))).toBe(false)
  })

  it('has no import cycles', () => {
    const state = new Map<string, 'visiting' | 'done'>()
    const cycles: Array<string> = []
    const visit = (f: string, path: ReadonlyArray<string>): void => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(src, x)).join(' → '))
        return
      }
      state.set(f, 'visiting')
      for (const d of graph.get(f) ?? []) if (d.startsWith('.')) visit(resolve(dirname(f), d), [...path, f])
      state.set(f, 'done')
    }
    for (const f of all) visit(f, [])
    expect(cycles).toEqual([])
  })
})
