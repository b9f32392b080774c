/**
 * Golden argv files: every `<arch>/<scenario>.input.json` is decoded strictly, planned with a
 * fixed id source and rendered in both dialects; the result must equal `<scenario>.<dialect>.argv`
 * (one token per line). Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden/`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { planGolden, type GoldenInput } from '../support/golden.ts'

const root = import.meta.dirname
const update = process.env.UPDATE_GOLDEN === '1'

const scenarios = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d.name))
      .filter((f) => f.endsWith('.input.json'))
      .map((f) => ({ arch: d.name, name: f.replace(/\.input\.json$/, ''), dir: join(root, d.name) })),
  )

describe('golden argv', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0))
  for (const s of scenarios) {
    for (const dialect of ['govmm', 'qemu'] as const) {
      it(`${s.arch}/${s.name} (${dialect})`, () => {
        const input = JSON.parse(readFileSync(join(s.dir, `${s.name}.input.json`), 'utf8')) as GoldenInput
        const r = planGolden(input, dialect)
        const text = E.isRight(r) ? `${[r.right.binary, ...r.right.args].join('\n')}\n` : `error: ${r.left}\n`
        const file = join(s.dir, `${s.name}.${dialect}.argv`)
        if (update || !existsSync(file)) {
          if (!update) throw new Error(`missing ${file}; run with UPDATE_GOLDEN=1 to create it`)
          writeFileSync(file, text)
        }
        expect(text).toBe(readFileSync(file, 'utf8'))
      })
    }
  }
})
