/**
 * The CLI's view of the world: argv in, text out, an exit status. Commands write through `Io` so
 * tests run them in-process, and report every error through `report`/`usageError`, which keep the
 * conventions: an error is one line on stderr starting with its tag, or under `--json` one JSON
 * object; every value it echoes is bounded.
 *
 * @since 0.1.0
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { bounded, io as ioError, toMessage, type PlanError } from '../core/errors.ts'
import { errnoCode } from '../effects/files.ts'
import { nodeMachine, type Machine } from '../effects/host.ts'
import { nodeEnv, type FileSystem, type Ids } from '../effects/ports.ts'

/** @since 0.1.0 @category model */
export interface Io {
  readonly out: (s: string) => void
  readonly err: (s: string) => void
  /** Standard input, read to its end: what a file argument `-` names. Without it `-` reads as empty. */
  readonly stdin?: () => Promise<string>
  /** Errors, warnings and notes as JSON objects on stderr (`dispatch` sets it when the command line has `--json`). */
  readonly json?: boolean
}

/**
 * Exit statuses: 0 ok, 1 a plan/effect error (or "different" for diff), 2 usage (or trouble for
 * diff), 70 an internal error (EX_SOFTWARE: a bug).
 *
 * @since 0.1.0
 * @category model
 */
export type Exit = 0 | 1 | 2 | 70

/** @since 0.1.0 @category model */
export interface Command {
  readonly summary: string
  readonly usage: string
  /** More help than the usage line: what the flags mean, what the exit statuses say. */
  readonly details?: string
  readonly run: (args: ReadonlyArray<string>, io: Io) => Promise<Exit>
}

/** Print an error: one line starting with its tag, or one JSON object under `--json`. @since 0.2.0 @category utils */
export const report = (
  io: Io,
  e: PlanError,
  extra: { readonly input?: string; readonly undoErrors?: ReadonlyArray<PlanError> } = {},
): void => {
  const undo = extra.undoErrors ?? []
  if (io.json) {
    io.err(
      `${JSON.stringify({
        ...errorJson(e),
        ...(extra.input === undefined ? {} : { input: bounded(extra.input) }),
        ...(undo.length === 0 ? {} : { undoErrors: undo.slice(0, 10).map(errorJson) }),
      })}\n`,
    )
    return
  }
  const more = undo.length > 10 ? `; and ${undo.length - 10} more undo failures` : ''
  io.err(
    `${toMessage(e)}${extra.input === undefined ? '' : ` (in ${bounded(extra.input)})`}${undo
      .slice(0, 10)
      .map((u) => `; undo failed: ${toMessage(u)}`)
      .join('')}${more}\n`,
  )
}

/** The field an error names, when it names one: an input's first problem path, a config or device field. @since 0.2.0 @category utils */
export const errorField = (e: PlanError): string | undefined => {
  switch (e._tag) {
    case 'InvalidInput':
      return e.problems[0]?.path || undefined
    case 'InvalidConfig':
    case 'InvalidDevice':
    case 'DuplicateId':
    case 'NoHotplugCapacity':
      return e.field
    default:
      return undefined
  }
}

const errorJson = (e: PlanError): { readonly error: string; readonly message: string; readonly field?: string } => {
  const field = errorField(e)
  return { error: e._tag, message: toMessage(e).slice(e._tag.length + 2), ...(field === undefined ? {} : { field: bounded(field) }) }
}

/** A warning (an unknown configuration key, …): `warning: …`, or `{"warning": …}` under `--json`. @since 0.2.0 @category utils */
export const warn = (io: Io, text: string, kind: 'warning' | 'note' = 'warning'): void =>
  io.err(io.json ? `${JSON.stringify({ [kind]: bounded(text, 1000) })}\n` : `${kind}: ${bounded(text, 1000)}\n`)

/** A usage error: one line with the command's usage, exit 2. @since 0.1.0 @category utils */
export const usageError = (io: Io, message: string, usage: string): 2 => {
  const m = bounded(message)
  io.err(io.json ? `${JSON.stringify({ error: 'UsageError', message: m, usage })}\n` : `usage error: ${m}; usage: ${usage}\n`)
  return 2
}

/** The last-resort report of something no command expected (a bug): one line, exit 70. @since 0.2.0 @category utils */
export const internalError = (io: Io, e: unknown): 70 => {
  const what = bounded(e instanceof Error ? `${e.name}: ${e.message}` : String(e), 400)
  const m = `${what} (a bug in qemu-plan; please report it)`
  io.err(io.json ? `${JSON.stringify({ error: 'Internal', message: m })}\n` : `Internal: ${m}\n`)
  return 70
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

/**
 * A command's flags, strictly (`parseArgs` with `strict: true`, no positional arguments), or the
 * exit status of the usage error.
 *
 * @since 0.3.0
 * @category utils
 */
export const flagValues = <O extends NonNullable<ParseArgsConfig['options']>>(
  io: Io,
  usage: string,
  args: ReadonlyArray<string>,
  options: O,
) => flags(io, usage, () => parseArgs({ args: [...args], options, strict: true }).values)

/** The flag every command takes: `--json`. @since 0.2.0 @category utils */
export const jsonFlag = { json: { type: 'boolean' } } as const

/** The tokens before `--`, where flags are. */
const flagTokens = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = args.indexOf('--')
  return end < 0 ? args : args.slice(0, end)
}

/** Whether a command line asks for help (`--help` or `-h` among its flags). @since 0.2.0 @category utils */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => flagTokens(args).some((a) => a === '--help' || a === '-h')

/** The commands whose `--format json` is another name for `--json`. */
const formatJson: ReadonlySet<string> = new Set(['argv', 'parse'])

/** Whether a command's arguments ask for JSON: `--json`, or `--format json` (`argv` and `parse`). @since 0.2.0 @category utils */
export const wantsJson = (command: string, args: ReadonlyArray<string>): boolean => {
  const t = flagTokens(args)
  const format = formatJson.has(command)
  return t.some((a, i) => a === '--json' || (format && (a === '--format=json' || (a === '--format' && t[i + 1] === 'json'))))
}

const stdinRead = new WeakMap<Io, Promise<string>>()

/**
 * What a command plans with: files from the file system, `-` from standard input (read once,
 * however often it is asked for), and the running machine, whose facts fill what a sandbox leaves
 * out of `host` (one note each, through `io`).
 *
 * @since 0.2.0
 * @category utils
 */
export const files = (io: Io): FileSystem & Ids & { readonly machine: Machine } => ({
  ...nodeEnv,
  machine: { ...nodeMachine, note: (m) => warn(io, m, 'note') },
  readText: (path) => {
    if (path !== '-') return nodeEnv.readText(path)
    return TE.tryCatch(
      () => {
        let p = stdinRead.get(io)
        if (p === undefined) {
          p = io.stdin === undefined ? Promise.resolve('') : io.stdin()
          stdinRead.set(io, p)
        }
        return p
      },
      (e) => ioError({ op: 'read', path: '-', code: errnoCode(e) }),
    )
  },
})

/**
 * Standard input can be read once: a usage error when more than one of a command's input files
 * is `-`.
 *
 * @since 0.2.0
 * @category utils
 */
export const oneStdin = (io: Io, usage: string, paths: ReadonlyArray<string | undefined>): Exit | undefined =>
  paths.filter((p) => p === '-').length > 1 ? usageError(io, 'standard input (-) can be read for only one input', usage) : undefined

/** What every command's help ends with: the conventions. @since 0.2.0 @category utils */
export const conventions = `conventions:
  -             a file argument of - reads standard input (for one input per command line)
  --json        output as JSON; an error is then one JSON object on stderr:
                {"error": TAG, "message": …, "field": …} (field when the error names one)
  --help, -h    this help, on stdout
exit status: 0 ok; 1 an error, printed as one line on stderr starting with its tag
  (InvalidInput: …); 2 a usage error (usage error: …); 70 an internal error, printed as
  one line starting with Internal: (a bug in qemu-plan: please report it)
`

/** The help of one command. @since 0.2.0 @category utils */
export const commandHelp = (cmd: Command): string =>
  `usage: ${cmd.usage}\n\n${cmd.summary}\n${cmd.details === undefined ? '' : `\n${cmd.details.trimEnd()}\n`}\n${conventions}`
