/**
 * Golden tests of the tool commands (`parse`, `diff`, `topology`, `check`): each `<command>/<case>/cmd.json`
 * names the files (and flags); the human output with its exit status must equal `expected.txt`,
 * the `--json` output `expected.json`. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden-tools`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/cli/dispatch.ts'

const commands = ['parse', 'diff', 'topology', 'check'].filter((c) => existsSync(join(import.meta.dirname, c)))
const update = process.env.UPDATE_GOLDEN === '1'

const cli = async (args: ReadonlyArray<string>): Promise<string> => {
  let out = ''
  let err = ''
  const code = await dispatch(args, { out: (s) => (out += s), err: (s) => (err += s) })
  return `${out}${err === '' ? '' : `stderr: ${err}`}exit ${code}\n`
}

const check = (file: string, text: string): void => {
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`missing ${file}; run with UPDATE_GOLDEN=1 to create it`)
    writeFileSync(file, text)
  }
  expect(text).toBe(readFileSync(file, 'utf8'))
}

for (const command of commands) {
  const root = join(import.meta.dirname, command)
  describe(`golden ${command}`, () => {
    const cases = readdirSync(root).sort()
    it('has cases', () => expect(cases.length).toBeGreaterThan(2))
    for (const c of cases) {
      const dir = join(root, c)
      const cmd = JSON.parse(readFileSync(join(dir, 'cmd.json'), 'utf8')) as { args: ReadonlyArray<string> }
      const args = cmd.args.map((a) => (existsSync(join(dir, a)) ? join(dir, a) : a))
      it(c, async () => {
        const human = await cli([command, ...args])
        check(join(dir, 'expected.txt'), human.split(dir + '/').join(''))
        const json = await cli([command, ...(command === 'parse' ? ['--format', 'json'] : ['--json']), ...args])
        check(join(dir, 'expected.json'), json.split(dir + '/').join(''))
        // diff: the exit status says whether the human output is empty
        if (command === 'diff') expect(human === 'exit 0\n').toBe(json.includes('"equal": true'))
      })
    }
  })
}
