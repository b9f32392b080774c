/**
 * The CLI's view of the world: argv in, text out, an exit status. Commands write through `Io` so
 * tests run them in-process.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category model */
export interface Io {
  readonly out: (s: string) => void
  readonly err: (s: string) => void
}

/** Exit statuses: 0 ok, 1 a plan/effect error (or "different" for diff), 2 usage. @since 0.1.0 @category model */
export type Exit = 0 | 1 | 2

/** @since 0.1.0 @category model */
export interface Command {
  readonly summary: string
  readonly usage: string
  readonly run: (args: ReadonlyArray<string>, io: Io) => Promise<Exit>
}

/** Thrown-free usage error helper: print usage, return 2. @since 0.1.0 @category utils */
export const usageError = (io: Io, message: string, usage: string): Exit => {
  io.err(`usage error: ${message}\n${usage}\n`)
  return 2
}

/** Shell-quote one argv token (POSIX single quotes where needed). @since 0.1.0 @category utils */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

/**
 * Run a flag parser (node's `parseArgs`, which throws on bad flags) and turn a throw into a usage
 * error: the parsed flags, or the exit status to return.
 *
 * @since 0.1.0
 * @category utils
 */
export const flags = <A>(io: Io, usage: string, parse: () => A): A | Exit => {
  try {
    return parse()
  } catch (e) {
    return usageError(io, e instanceof Error ? e.message : String(e), usage)
  }
}
