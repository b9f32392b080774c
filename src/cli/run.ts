/**
 * CLI dispatch, in-process: `run(argv, io)` returns the exit status.
 *
 * @since 0.1.0
 */
import { commands } from './commands/index.ts'
import type { Exit, Io } from './io.ts'

const help = (): string =>
  `qemu-plan: plan QEMU virtual machines for container sandboxes\n\ncommands:\n${Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`)
    .join('\n')}\n`

/** @since 0.1.0 @category utils */
export const run = async (argv: ReadonlyArray<string>, io: Io): Promise<Exit> => {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help())
    return name === undefined ? 2 : 0
  }
  const cmd = commands[name]
  if (cmd === undefined) {
    io.err(`usage error: unknown command ${name}\n${help()}`)
    return 2
  }
  return cmd.run(rest, io)
}
