/**
 * CLI dispatch, in-process: `dispatch(argv, io)` returns the exit status. It handles what every command
 * shares — `--help`/`-h`, `--version`, `--json` error reporting — and is the first half of the
 * last-resort guard: whatever a command throws becomes one `Internal: …` line and exit 70, never
 * a stack trace (the entry point, `main.ts`, guards the rest of the process).
 *
 * @since 0.1.0
 */
import pkg from '../../package.json' with { type: 'json' }
import { commands } from './commands/index.ts'
import { commandHelp, conventions, internalError, usageError, wantsHelp, wantsJson, type Command, type Exit, type Io } from './io.ts'

/** The version of qemu-plan, from package.json (inlined when the CLI is bundled). @since 0.2.0 @category utils */
export const version: string = pkg.version

const toolUsage = 'qemu-plan COMMAND [ARGS…] | qemu-plan COMMAND --help | qemu-plan --help | qemu-plan --version'

/** The tool's help: every command with its usage, and the conventions. @since 0.2.0 @category utils */
export const help = (table: Readonly<Record<string, Command>> = commands): string =>
  `qemu-plan ${version}: plan QEMU virtual machines for container sandboxes

usage: ${toolUsage}

commands:
${Object.entries(table)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`)
  .join('\n')}

${conventions}`

/**
 * Run one command line. `table` is the command table (a seam for tests: the real one unless told).
 *
 * @since 0.1.0
 * @category utils
 */
export const dispatch = async (argv: ReadonlyArray<string>, io: Io, table: Readonly<Record<string, Command>> = commands): Promise<Exit> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(help(table))
    return 2
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.out(help(table))
    return 0
  }
  if (name === '--version' || name === '-V') {
    io.out(`qemu-plan ${version}\n`)
    return 0
  }
  const json = wantsJson(name, rest)
  const cio: Io = json === (io.json ?? false) ? io : { ...io, json }
  if (name === 'help') {
    const [topic, ...extra] = rest
    const c = topic === undefined || !Object.hasOwn(table, topic) ? undefined : table[topic]
    if (c === undefined || extra.length > 0)
      return usageError(cio, `help takes one command name (${Object.keys(table).join(', ')})`, toolUsage)
    io.out(commandHelp(c))
    return 0
  }
  const cmd = Object.hasOwn(table, name) ? table[name] : undefined
  if (cmd === undefined)
    return usageError(cio, `unknown command ${name} (commands: ${Object.keys(table).join(', ')}; qemu-plan --help for more)`, toolUsage)
  if (wantsHelp(rest)) {
    io.out(commandHelp(cmd))
    return 0
  }
  try {
    return await cmd.run(rest, cio)
  } catch (e) {
    return internalError(cio, e)
  }
}
