/**
 * The CLI's commands, by name. Each command lives in its own file.
 *
 * @since 0.1.0
 */
import type { Command } from '../io.ts'
import { argvCommand } from './argv.ts'
import { hotplugCommand, unplugCommand } from './hotplug.ts'
import { runCommand } from './run.ts'
import { checkCommand } from './check.ts'
import { diffCommand } from './diff.ts'
import { parseCommand } from './parse.ts'
import { probeCommand } from './probe.ts'
import { topologyCommand } from './topology.ts'
import { hostCommand } from './host.ts'
import { configCommand } from './config.ts'

/** @since 0.1.0 @category model */
export const commands: Readonly<Record<string, Command>> = {
  argv: argvCommand,
  run: runCommand,
  hotplug: hotplugCommand,
  unplug: unplugCommand,
  parse: parseCommand,
  diff: diffCommand,
  topology: topologyCommand,
  check: checkCommand,
  probe: probeCommand,
  host: hostCommand,
  config: configCommand,
}
