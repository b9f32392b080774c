import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { loadArgvInput } from '../../../src/effects/argv-input.ts'

const root = join(import.meta.dirname, '..', '..')
const govmm = readFileSync(join(root, 'golden', 'amd64', 'kata-worked-example.govmm.argv'), 'utf8')
  .trimEnd()
  .split('\n')
const doc = JSON.parse(readFileSync(join(root, 'golden', 'amd64', 'kata-worked-example.input.json'), 'utf8')) as {
  config: unknown
  sandbox: unknown
}
const dir = mkdtempSync(join(tmpdir(), 'qemu-plan-input-'))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const load = async (path: string, o: Parameters<typeof loadArgvInput>[1] = { dialect: 'govmm' }) => loadArgvInput(path, o)()

describe('loadArgvInput', () => {
  it('reads argv as a JSON array, one token per line, a shell line and a ps line', async () => {
    const shell = govmm.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w}'`)).join(' ')
    for (const p of [
      file('a.json', JSON.stringify(govmm)),
      file('a.argv', `${govmm.join('\n')}\n`),
      file('a.sh', shell),
      file('a.ps', govmm.join(' ')),
    ]) {
      expect(await load(p)).toEqual(E.right({ kind: 'argv', argv: govmm, plan: undefined }))
    }
  })
  it('plans a {config, sandbox} document, and a sandbox with --config', async () => {
    const a = await load(file('doc.json', JSON.stringify(doc)))
    expect(E.isRight(a) && a.right.kind === 'sandbox' && a.right.argv).toEqual(govmm)
    const config = file('config.json', JSON.stringify(doc.config))
    const b = await load(file('sandbox.json', JSON.stringify(doc.sandbox)), {
      configPath: config,
      dialect: 'qemu',
      imageSizeBytes: 134217728,
    })
    expect(E.isRight(b) && b.right.argv.includes('-rtc')).toBe(true)
  })
  it('names the problem of a sandbox without --config, a bad array, a bad quote and a missing file', async () => {
    expect(await load(file('s.json', JSON.stringify(doc.sandbox)))).toMatchObject({ left: { _tag: 'InvalidInput' } })
    expect(await load(file('n.json', '[1, 2]'))).toMatchObject({ left: { _tag: 'InvalidInput' } })
    expect(await load(file('q.sh', "qemu -name 'x"))).toMatchObject({ left: { _tag: 'ParseError', position: 2 } })
    expect(await load(join(dir, 'missing.argv'))).toMatchObject({ left: { _tag: 'Io', code: 'ENOENT' } })
  })
})
