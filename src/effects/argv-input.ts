/**
 * A command line from a file, whatever the file holds: a JSON array (argv), one token per line
 * (`*.argv`, as the golden files and `argv --format lines` write them), a shell or `ps` line, a
 * sandbox spec (planned with `--config`), or a golden-style document `{config, sandbox, ids?,
 * imageSizeBytes?}`. Specs are planned with a seeded id source (seed 1 unless told) and rendered
 * in the requested dialect, so two specs compare without random-id noise.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { planSandbox } from '../arch/planner.ts'
import type { Dialect } from '../core/devices/profile.ts'
import { invalidInput, type PlanError } from '../core/errors.ts'
import { seededIds, type IdSource } from '../core/ids.ts'
import { decodeConfig } from '../core/input/config.ts'
import { decodeSandbox } from '../core/input/sandbox.ts'
import { isRecord } from '../core/input/decode.ts'
import { lineToArgv } from '../core/parse/shell.ts'
import { render } from '../core/render.ts'
import type { Plan } from '../core/vm.ts'
import { loadPlan, parseJson } from './load.ts'
import { nodeEnv, type FileSystem, type Ids } from './ports.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface InputOptions {
  readonly configPath?: string | undefined
  readonly dialect: Dialect
  readonly seed?: number | undefined
  readonly imageSizeBytes?: number | undefined
}

/** What a file turned out to hold, and the argv it gives. @since 0.1.0 @category model */
export interface ArgvInput {
  readonly kind: 'argv' | 'sandbox'
  readonly argv: ReadonlyArray<string>
  /** The plan, when the file was a sandbox spec. */
  readonly plan: Plan | undefined
}

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

const bad = (path: string, expected: string, actual: string): PlanError => invalidInput({ problems: [{ path, expected, actual }] })

const fixedIds = (seed: number, ids: unknown): IdSource => {
  const s = seededIds(seed)
  return { hex16: (k) => (isRecord(ids) && typeof ids[k] === 'string' ? (ids[k] as string) : s.hex16(k)) }
}

const rendered = (plan: Plan, dialect: Dialect): E.Either<PlanError, ArgvInput> =>
  pipe(
    render(plan, dialect),
    E.map((r) => ({ kind: 'sandbox' as const, argv: [r.binary, ...r.args], plan })),
  )

const planDoc = (doc: Record<string, unknown>, o: InputOptions): E.Either<PlanError, ArgvInput> =>
  pipe(
    E.Do,
    E.bind('config', () => decodeConfig(doc.config)),
    E.bindW('sandbox', () => decodeSandbox(doc.sandbox)),
    E.flatMap(({ config, sandbox }) =>
      planSandbox(
        config.value,
        sandbox.value,
        { imageSizeBytes: typeof doc.imageSizeBytes === 'number' ? doc.imageSizeBytes : o.imageSizeBytes },
        fixedIds(o.seed ?? 1, doc.ids),
      ),
    ),
    E.flatMap((plan) => rendered(plan, o.dialect)),
  )

/**
 * Read a file and produce its command line. `env` reads the files (the CLI's reads `-` from
 * standard input).
 *
 * @since 0.1.0
 * @category adapters
 */
export const loadArgvInput = (path: string, o: InputOptions, env: FileSystem & Ids = nodeEnv): TE.TaskEither<PlanError, ArgvInput> =>
  pipe(
    env.readText(path),
    TE.flatMap((text): TE.TaskEither<PlanError, ArgvInput> => {
      const head = text.trimStart()
      const argv = (xs: ReadonlyArray<string>): ArgvInput => ({ kind: 'argv', argv: xs, plan: undefined })
      if (head.startsWith('[')) {
        return TE.fromEither(
          pipe(
            parseJson(text, path),
            E.flatMap((u) =>
              Array.isArray(u) && u.every((x) => typeof x === 'string')
                ? E.right(argv(u as ReadonlyArray<string>))
                : E.left(bad(path, 'a JSON array of strings (argv)', 'another JSON value')),
            ),
          ),
        )
      }
      if (head.startsWith('{')) {
        return pipe(
          TE.fromEither(parseJson(text, path)),
          TE.flatMap((u) => {
            if (isRecord(u) && 'sandbox' in u && 'config' in u) return TE.fromEither(planDoc(u, o))
            if (o.configPath === undefined)
              return TE.left(bad(path, 'a sandbox spec with --config FILE, or {config, sandbox}', 'a sandbox spec without --config'))
            return pipe(
              loadPlan(
                { configPath: o.configPath, sandboxPath: path, seed: o.seed ?? 1, imageSizeBytes: o.imageSizeBytes },
                { ...env, readText: (p) => (p === path ? TE.right(text) : env.readText(p)) },
              ),
              TE.flatMapEither((l) => rendered(l.plan, o.dialect)),
            )
          }),
        )
      }
      if (path.endsWith('.argv')) return TE.right(argv(text.split('\n').filter((w, i, all) => !(w === '' && i === all.length - 1))))
      return TE.fromEither(pipe(lineToArgv(text), E.map(argv)))
    }),
  )
