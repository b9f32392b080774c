/**
 * The `qemu-plan` executable.
 *
 * @since 0.1.0
 */
import { main } from './entry.ts'

await main(process.argv.slice(2))
