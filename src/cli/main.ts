/**
 * The `qemu-plan` executable.
 *
 * @since 0.1.0
 */
import { run } from './run.ts'

const code = await run(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) })
process.exitCode = code
