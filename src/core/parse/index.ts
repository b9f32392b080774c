/**
 * Parsing QEMU command lines back into the device model: `parseArgv` for argv arrays, `parseLine`
 * for one shell or `ps` line. See `plan.ts` for what is read and what is refused.
 *
 * @since 0.1.0
 */
export { parseArgv, parseLine, type Parsed } from './plan.ts'
export { splitWords, joinAppend, lineToArgv } from './shell.ts'
export { parseProps, toOptions, type Option, type Prop, type Props } from './options.ts'
