/**
 * The amd64 fixtures (`fixturesFor('amd64')` of `arch-fixtures.ts`), under the names the amd64,
 * base, planner and core tests import.
 */
import { fixturesFor } from './arch-fixtures.ts'

export { config, configDoc, image, initrd, kernel, unsafeLeft, unsafeRight, values, virtiofsd } from './arch-fixtures.ts'

export const { sandboxDoc, sandbox, stateFor, draftFor, planFor, argvFor } = fixturesFor('amd64')
