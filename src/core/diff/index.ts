/**
 * Semantic diff of QEMU command lines: `diffArgv(a, b)` parses both (either dialect) and compares
 * their views; `diff`, `view` and `formatDiff` are the pieces.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { PlanError } from '../errors.ts'
import { parseArgv } from '../parse/plan.ts'
import { diff, type Diff } from './diff.ts'
import { view } from './view.ts'

export { diff, isEmpty, type Change, type DeviceChange, type Diff } from './diff.ts'
export { formatDiff } from './format.ts'
export { view, type DeviceView, type View } from './view.ts'

/**
 * Parse two argv arrays and diff them.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { diffArgv, isEmpty } from 'qemu-plan'
 * const a = ['-name', 'n', '-uuid', 'u', '-machine', 'q35,kernel_irqchip', '-cpu', 'host', '-qmp', 'unix:/q,server,nowait', '-m', '1G', '-vga', 'none', '-kernel', '/k', '-pidfile', '/p']
 * const b = a.map((w) => (w === 'q35,kernel_irqchip' ? 'q35,kernel_irqchip=on' : w === '1G' ? '1024M' : w))
 * const d = diffArgv(a, b)
 * assert.ok(E.isRight(d) && isEmpty(d.right))
 * @since 0.1.0
 * @category utils
 */
export const diffArgv = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): E.Either<PlanError, Diff> =>
  pipe(
    E.Do,
    E.bind('pa', () => parseArgv(a)),
    E.bind('pb', () => parseArgv(b)),
    E.map(({ pa, pb }) => diff(view(pa), view(pb))),
  )
