/**
 * Golden scenario inputs: a configuration, a sandbox, the resolved image size, and optional fixed
 * ids (keys as the planner asks for them) — everything else comes from a seeded id source.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { planSandbox } from '../../src/arch/planner.ts'
import { toMessage } from '../../src/core/errors.ts'
import { seededIds, type IdSource } from '../../src/core/ids.ts'
import { decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import { render, type Rendered } from '../../src/core/render.ts'
import type { Dialect } from '../../src/core/devices/profile.ts'
import type { Plan } from '../../src/core/vm.ts'

export interface GoldenInput {
  readonly description?: string
  readonly ids?: Readonly<Record<string, string>>
  readonly imageSizeBytes?: number
  readonly config: unknown
  readonly sandbox: unknown
}

/** Fixed ids where the input gives them, a seeded source (seed 1) for the rest. */
export const goldenIds = (fixed: Readonly<Record<string, string>> = {}): IdSource => {
  const seeded = seededIds(1)
  return { hex16: (k) => fixed[k] ?? seeded.hex16(k) }
}

export const planOf = (input: GoldenInput): E.Either<string, Plan> =>
  pipe(
    E.Do,
    E.bind('config', () => decodeConfig(input.config)),
    E.bindW('sandbox', () => decodeSandbox(input.sandbox)),
    E.flatMap(({ config, sandbox }) =>
      planSandbox(config.value, sandbox.value, { imageSizeBytes: input.imageSizeBytes }, goldenIds(input.ids)),
    ),
    E.mapLeft(toMessage),
  )

export const planGolden = (input: GoldenInput, dialect: Dialect): E.Either<string, Rendered> =>
  pipe(
    planOf(input),
    E.flatMap((p) => pipe(render(p, dialect), E.mapLeft(toMessage))),
  )
