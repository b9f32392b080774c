/**
 * The process around `dispatch`: standard input for `-`, standard output that may break (`| head -1`
 * closes it: EPIPE; `>/dev/full`: ENOSPC), and the last-resort guard. Whatever escapes a
 * command — a throw, a rejected promise nobody awaited, an error event nobody listened for — is
 * reported as one `Internal: …` line and exit 70, never a stack trace.
 *
 * @since 0.2.0
 */
import { io as ioError, type PlanError } from '../core/errors.ts'
import { errnoCode, readStdinBounded } from '../effects/files.ts'
import { commands } from './commands/index.ts'
import { internalError, report, wantsJson, type Command, type Io } from './io.ts'
import { dispatch } from './dispatch.ts'

/**
 * Run the CLI as the process: argv in, the exit status set on `process.exitCode`. `table` is the
 * command table (a seam for tests of the guard).
 *
 * @since 0.2.0
 * @category utils
 */
export const main = async (argv: ReadonlyArray<string>, table: Readonly<Record<string, Command>> = commands): Promise<void> => {
  let broken: PlanError | undefined
  const err = (s: string): void => {
    try {
      process.stderr.write(s)
    } catch {
      // stderr is gone too: nowhere left to say anything
    }
  }
  const io: Io = {
    out: (s) => {
      if (broken !== undefined) return
      try {
        process.stdout.write(s)
      } catch (e) {
        onStdoutError(e)
      }
    },
    err,
    stdin: () => readStdinBounded(),
    json: wantsJson(argv[0] ?? '', argv.slice(1)),
  }
  const onStdoutError = (e: unknown): void => {
    if (broken !== undefined) return
    broken = ioError({ op: 'write', path: '<stdout>', code: errnoCode(e) })
    report(io, broken)
    process.exitCode = 1
  }
  const die = (e: unknown): void => {
    process.exitCode = internalError(io, e)
    process.exit()
  }
  process.stderr.on('error', () => {})
  process.stdout.on('error', onStdoutError)
  process.on('uncaughtException', die)
  process.on('unhandledRejection', die)
  const code = await dispatch(argv, io, table)
  process.exitCode = broken !== undefined && code === 0 ? 1 : code
}
