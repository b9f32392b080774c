import { devicesOf, type Bridge } from '../../src/core/bridges.ts'

/** A bridge's slot → id record (or `undefined` for no bridge), for `toEqual` assertions. */
export const slotsOf = (b: Bridge | undefined): Readonly<Record<number, string>> | undefined => (b === undefined ? undefined : devicesOf(b))
