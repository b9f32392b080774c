/**
 * The bench scripts' command lines: the value after a flag, and the sizes given as bare numbers
 * (a number that is some flag's value is not a size).
 */

/** The word after `name` on the command line, if `name` is there. */
export const flagValue = (name: string): string | undefined =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined

/** The bare numbers after the script's first argument that no flag in `valued` takes as its value. */
export const sizesIn = (valued: ReadonlyArray<string>): ReadonlyArray<number> =>
  process.argv
    .slice(3)
    .filter((a, i, all) => /^\d+$/.test(a) && !valued.includes(all[i - 1] as string))
    .map(Number)
