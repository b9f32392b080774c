/**
 * The CLI arguments of the README's quick start (`npm start`: `qemu-plan argv` of the bundled
 * example sandbox), read from package.json's `start` script so that the tests and the start-up
 * benchmark run exactly what a new user runs.
 */
import { readFileSync } from 'node:fs'

const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts
  .start
const words = start.trim().split(/\s+/)
const entry = words.indexOf('src/cli/main.ts')
if (entry < 0) throw new Error(`package.json's start script no longer runs src/cli/main.ts: ${start}`)

/** `argv --config examples/configuration.toml --sandbox examples/sandbox.json …`, as `npm start` passes them. */
export const quickStartArgs: ReadonlyArray<string> = words.slice(entry + 1)
