/**
 * The code examples of the documentation, as the docs test compiles and runs them: every ```ts and
 * ```js block of README.md and docs/*.md, and every `@example` in the TSDoc under src/.
 *
 * An example may be left out of the run (it is still type-checked) only with a reason written next
 * to it: `<!-- not run: REASON -->` on the line before a Markdown block, `// not run: REASON` as the
 * first line of an `@example`. `@example`s may use `assert` (node:assert, strict) without importing
 * it, as the TSDoc convention of this repository is.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface Example {
  /** A file-name-safe name, unique: `README.md-1`, `src-core-opts.ts-1`. */
  readonly name: string
  /** Where it is: `README.md:27`. */
  readonly where: string
  readonly lang: 'ts' | 'js'
  readonly code: string
  /** Why it is not run, when it is not. */
  readonly notRun?: string
}

const notRunHtml = /^<!--\s*not run:\s*(.*?)\s*-->$/
const notRunLine = /^\/\/\s*not run:\s*(.*)$/

const slug = (path: string): string => path.replace(/[/\\]/g, '-')

/** The ```ts / ```js blocks of a Markdown file. */
export const markdownExamples = (root: string, file: string): ReadonlyArray<Example> => {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const out: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i] ?? '')
    if (fence === null) continue
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '')
    const reason = notRunHtml.exec((lines[start - 1] ?? '').trim())?.[1]
    out.push({
      name: `${slug(file)}-${out.length + 1}`,
      where: `${file}:${start + 1}`,
      lang: fence[1]?.startsWith('t') === true ? 'ts' : 'js',
      code: body.join('\n'),
      ...(reason === undefined ? {} : { notRun: reason }),
    })
  }
  return out
}

/** The `@example`s of the TSDoc comments of a TypeScript file: the lines after the tag, up to the next tag or the end of the comment. */
export const tsdocExamples = (root: string, file: string): ReadonlyArray<Example> => {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const out: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\s*$/.test(lines[i] ?? '')) continue
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length; i++) {
      const l = lines[i] ?? ''
      if (/^\s*\*\//.test(l) || /^\s*\*\s*@\w+/.test(l)) break
      body.push(l.replace(/^\s*\* ?/, ''))
    }
    i--
    const code = body.join('\n').trim()
    const reason = notRunLine.exec(code.split('\n')[0] ?? '')?.[1]
    const needsAssert = /\bassert\./.test(code) && !/^import\b.*\bassert\b.*from/m.test(code)
    out.push({
      name: `${slug(file)}-${out.length + 1}`,
      where: `${file}:${start + 1}`,
      lang: 'ts',
      code: needsAssert ? `import { strict as assert } from 'node:assert'\n${code}` : code,
      ...(reason === undefined ? {} : { notRun: reason }),
    })
  }
  return out
}

const files = (dir: string, ext: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : []))
    .sort()

/** Every example of the repository at `root`. */
export const allExamples = (root: string): ReadonlyArray<Example> => [
  ...markdownExamples(root, 'README.md'),
  ...files(join(root, 'docs'), '.md').flatMap((f) => markdownExamples(root, relative(root, f))),
  ...files(join(root, 'src'), '.ts').flatMap((f) => tsdocExamples(root, relative(root, f))),
]

/** The module specifiers an example imports. */
export const importsOf = (code: string): ReadonlyArray<string> =>
  [...code.matchAll(/^\s*import\s[^'"]*?['"]([^'"]+)['"]/gm)].map((m) => m[1] as string)
