/**
 * The golden inputs themselves, for every arch: each says what it covers, decodes without a single warning
 * (a misspelt key would otherwise only warn and silently change the scenario), and has both argv files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import type { GoldenInput } from '../support/golden.ts'

const minimum: Readonly<Record<string, number>> = { amd64: 8, arm64: 6, ppc64le: 6, s390x: 6 }

for (const arch of Object.keys(minimum)) {
  const dir = join(import.meta.dirname, arch)
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.input.json'))
        .map((f) => f.replace(/\.input\.json$/, ''))
    : []
describe(`${arch} golden inputs`, () => {
  it(`at least ${minimum[arch]} scenarios${arch === 'amd64' ? ', including the Kata 1.9 worked example' : ''}`, () => {
    expect(names.length).toBeGreaterThanOrEqual(minimum[arch] ?? 6)
    if (arch === 'amd64') expect(names).toContain('kata-worked-example')
  })
  for (const name of names) {
    it(`${name}: described, warning-free, both dialects recorded`, () => {
      const input = JSON.parse(readFileSync(join(dir, `${name}.input.json`), 'utf8')) as GoldenInput
      expect(Object.keys(input).every((k) => ['description', 'ids', 'imageSizeBytes', 'config', 'sandbox'].includes(k))).toBe(true)
      expect(input.description?.length ?? 0).toBeGreaterThan(40)
      const c = decodeConfig(input.config)
      const s = decodeSandbox(input.sandbox)
      expect(E.isRight(c) && c.right.warnings).toEqual([])
      expect(E.isRight(s) && s.right.warnings).toEqual([])
      expect(E.isRight(s) && s.right.value.arch).toBe(arch)
      for (const d of ['govmm', 'qemu']) expect(existsSync(join(dir, `${name}.${d}.argv`))).toBe(true)
    })
  }
})
}
