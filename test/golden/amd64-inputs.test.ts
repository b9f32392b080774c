/**
 * The amd64 golden inputs themselves: each says what it covers, decodes without a single warning
 * (a misspelt key would otherwise only warn and silently change the scenario), and has both argv files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import type { GoldenInput } from '../support/golden.ts'

const dir = join(import.meta.dirname, 'amd64')
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.input.json'))
  .map((f) => f.replace(/\.input\.json$/, ''))

describe('amd64 golden inputs', () => {
  it('at least 8 scenarios, including the worked example of reference §7.21', () => {
    expect(names.length).toBeGreaterThanOrEqual(8)
    expect(names).toContain('kata-worked-example')
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
      expect(E.isRight(s) && s.right.value.arch).toBe('amd64')
      for (const d of ['govmm', 'qemu']) expect(existsSync(join(dir, `${name}.${d}.argv`))).toBe(true)
    })
  }
})
