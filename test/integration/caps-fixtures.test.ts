/**
 * The probe on the installed QEMU binaries: each run must equal the checked-in fixture
 * `test/fixtures/caps/<binary>.json`, so the fixtures the `check` tests use are current.
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/integration/caps-fixtures.test.ts`.
 * Skips (saying why) when a binary is missing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { toMessage } from '../../src/core/errors.ts'
import { probeBinary } from '../../src/effects/probe.ts'
import { describeQemu } from '../support/qemu.ts'
import { dispatch } from '../../src/cli/dispatch.ts'

const binaries = ['qemu-system-x86_64', 'qemu-system-aarch64', 'qemu-system-ppc64', 'qemu-system-s390x']
const dir = join(import.meta.dirname, '..', 'fixtures', 'caps')
for (const b of binaries) {
  describeQemu(b, `capability fixture for ${b}`, (path) => {
    it('is current: a fresh probe of the installed binary equals it', async () => {
      const caps = await probeBinary(path, b)()
      if (E.isLeft(caps)) throw new Error(toMessage(caps.left))
      const text = `${JSON.stringify(caps.right, null, 1)}\n`
      const file = join(dir, `${b}.json`)
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
        if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing ${file}; run with UPDATE_GOLDEN=1 to create it`)
        writeFileSync(file, text)
      }
      // a Debian patch release (micro, package) alone does not make the fixture stale: say so, compare the rest
      const fixture = JSON.parse(readFileSync(file, 'utf8')) as typeof caps.right
      const { version: v1, ...rest1 } = caps.right
      const { version: v2, ...rest2 } = fixture
      if (v1.micro !== v2.micro || v1.package !== v2.package) console.warn(`${b}: installed ${v1.package}, fixture from ${v2.package}`)
      expect([v1.major, v1.minor]).toEqual([v2.major, v2.minor])
      expect(rest1).toEqual(rest2)
    })

    it('qemu-plan probe prints the same document', async () => {
      let out = ''
      const code = await dispatch(['probe', '--qemu', path, '--name', b], { out: (x) => (out += x), err: () => {} })
      expect(code).toBe(0)
      const { version: _v, ...rest } = JSON.parse(out) as Record<string, unknown>
      const { version: _f, ...fixture } = JSON.parse(readFileSync(join(dir, `${b}.json`), 'utf8')) as Record<string, unknown>
      expect(rest).toEqual(fixture)
    })
  })
}
