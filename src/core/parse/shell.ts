/**
 * A command line as one string → argv. Two sources are understood: a POSIX-shell-quoted line (what
 * `qemu-plan argv --format shell` prints), and the line `ps` shows for a running Kata 1.9 QEMU, where
 * the arguments were joined by single spaces without quoting — so the `-append` value arrives as many
 * words and runs until the next word that is a QEMU option this parser knows.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseError, type ParseError } from '../errors.ts'
import { arity } from './options.ts'

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Split a line into words as a POSIX shell would (single quotes, double quotes with `\` escapes,
 * `\` outside quotes), without expansions. An unterminated quote or a trailing `\` is a
 * `ParseError` whose `position` is the index of the word being read.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { splitWords } from 'qemu-plan'
 * assert.deepStrictEqual(splitWords(`-append 'a b' -name x\\ y`), E.right(['-append', 'a b', '-name', 'x y']))
 * @since 0.1.0
 * @category utils
 */
export const splitWords = (line: string): E.Either<ParseError, ReadonlyArray<string>> => {
  const words: Array<string> = []
  let cur = ''
  let inWord = false
  let quote: '' | "'" | '"' = ''
  let start = 0
  const fail = (reason: string): E.Either<ParseError, ReadonlyArray<string>> =>
    E.left(parseError({ position: words.length, token: line.slice(start), reason }))
  const n = line.length
  // runs of ordinary characters are copied as slices, not a character at a time (a large command
  // line would otherwise build millions of one-character strings)
  const run = (from: number, special: (c: number) => boolean): number => {
    let j = from
    while (j < n && !special(line.charCodeAt(j))) j++
    cur += line.slice(from, j)
    return j
  }
  for (let i = 0; i < n; i++) {
    if (quote === "'") {
      i = run(i, (c) => c === 39)
      if (i < n) quote = ''
      continue
    }
    if (quote === '"') {
      i = run(i, (c) => c === 34 || c === 92)
      if (i >= n) break
      if (line.charAt(i) === '"') quote = ''
      else if (i + 1 < n && '"\\$`\n'.includes(line.charAt(i + 1))) cur += line.charAt(++i)
      else cur += '\\'
      continue
    }
    const c = line.charAt(i)
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
      continue
    }
    if (!inWord) start = i
    inWord = true
    if (c === "'" || c === '"') quote = c
    else if (c === '\\') {
      if (i + 1 >= n) return fail(`a trailing backslash at character ${i} escapes nothing`)
      const next = line.charAt(++i)
      if (next !== '\n') cur += next
    } else i = run(i, (x) => x === 32 || x === 9 || x === 10 || x === 13 || x === 39 || x === 34 || x === 92) - 1
  }
  if (quote !== '') return fail(`unterminated ${quote === "'" ? 'single' : 'double'} quote opened in this word (character ${start})`)
  if (inWord) words.push(cur)
  return E.right(words)
}

/**
 * Undo `ps`'s joining: the words after `-append` up to the next known option become one value
 * (Kata 1.9 never quoted it). A quoted line already has one word there, so this changes nothing.
 *
 * @since 0.1.0
 * @category utils
 */
export const joinAppend = (words: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string
    out.push(w)
    if (w !== '-append' && w !== '--append') continue
    const rest: Array<string> = []
    while (i + 1 < words.length && arity(words[i + 1] as string) === undefined) rest.push(words[++i] as string)
    if (rest.length > 0) out.push(rest.join(' '))
  }
  return out
}

/**
 * A whole command line (shell-quoted, or as `ps` shows it) → argv.
 *
 * @since 0.1.0
 * @category utils
 */
export const lineToArgv = (line: string): E.Either<ParseError, ReadonlyArray<string>> => E.map(joinAppend)(splitWords(line))
