/**
 * Resolve → plan → render, the effects-inclusive path: read the configuration (TOML or JSON) and
 * the sandbox (JSON) from files, `stat` the rootfs image for its size, mint real random ids (or a
 * seeded source), then hand everything to the pure planner.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { parse as parseToml } from 'smol-toml'
import { planSandbox } from '../arch/planner.ts'
import { invalidInput, type PlanError } from '../core/errors.ts'
import { seededIds } from '../core/ids.ts'
import { decodeConfig, type HypervisorConfig } from '../core/input/config.ts'
import { decodeSandbox, type Sandbox } from '../core/input/sandbox.ts'
import type { Plan } from '../core/vm.ts'
import { memoryBackendPath } from '../core/preflight.ts'
import { exists, fillHostFacts, nodeMachine, type Machine } from './host.ts'
import { nodeEnv, type FileSystem, type Ids } from './ports.ts'

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/** Parse configuration text: JSON when it looks like JSON, TOML otherwise. @since 0.1.0 @category adapters */
export const parseConfigText = (text: string, path: string): E.Either<PlanError, unknown> =>
  E.tryCatch(
    () => (path.endsWith('.json') || text.trimStart().startsWith('{') ? JSON.parse(text) : parseToml(text)),
    (e) =>
      invalidInput({
        problems: [
          {
            path: '',
            expected: `valid ${path.endsWith('.json') ? 'JSON' : 'TOML or JSON'} in ${path}`,
            actual: String(e instanceof Error ? e.message : e).split('\n')[0] ?? '',
          },
        ],
      }),
  )

/** Parse sandbox JSON. @since 0.1.0 @category adapters */
export const parseJson = (text: string, path: string): E.Either<PlanError, unknown> =>
  E.tryCatch(
    () => JSON.parse(text) as unknown,
    (e) =>
      invalidInput({ problems: [{ path: '', expected: `valid JSON in ${path}`, actual: e instanceof Error ? e.message : String(e) }] }),
  )

// -------------------------------------------------------------------------------------
// programs
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface LoadOptions {
  readonly configPath: string
  readonly sandboxPath: string
  /** A fixed seed gives the same ids (and so the same argv) every run. */
  readonly seed?: number | undefined
  /** Skip the `stat` and assume this image size (planning on a machine without the image). */
  readonly imageSizeBytes?: number | undefined
}

/** @since 0.1.0 @category model */
export interface Loaded {
  readonly config: HypervisorConfig
  readonly sandbox: Sandbox
  readonly plan: Plan
  readonly warnings: ReadonlyArray<string>
}

/**
 * What `loadPlan` works through: files, random ids and, when present, the running machine, whose
 * facts fill what the sandbox's `host` leaves out (without it, missing facts stay missing).
 *
 * @since 0.2.0
 * @category model
 */
export type LoadEnv = FileSystem & Ids & { readonly machine?: Machine | undefined }

/**
 * Read, decode, resolve and plan: the host facts the sandbox leaves out come from the running
 * machine, the image size and the existence of the file-backed memory location from `stat`.
 *
 * @since 0.1.0
 * @category adapters
 */
export const loadPlan = (o: LoadOptions, env: LoadEnv = { ...nodeEnv, machine: nodeMachine }): TE.TaskEither<PlanError, Loaded> =>
  pipe(
    TE.Do,
    TE.bind('config', () =>
      pipe(
        env.readText(o.configPath),
        TE.flatMapEither((t) => parseConfigText(t, o.configPath)),
        TE.flatMapEither(decodeConfig),
      ),
    ),
    TE.bind('sandbox', () =>
      pipe(
        env.readText(o.sandboxPath),
        TE.flatMapEither((t) => parseJson(t, o.sandboxPath)),
        TE.flatMap((doc) => (env.machine === undefined ? TE.right(doc) : fillHostFacts(doc, env, env.machine))),
        TE.flatMapEither(decodeSandbox),
      ),
    ),
    TE.bind('size', ({ config }) => {
      const img = config.value.image
      if (img === undefined || config.value.initrd !== undefined) return TE.right(undefined)
      return o.imageSizeBytes !== undefined ? TE.right(o.imageSizeBytes) : env.size(img)
    }),
    TE.bind('backend', ({ config }) => {
      const path = memoryBackendPath(config.value)
      return path === undefined ? TE.right(undefined) : exists(env, path)
    }),
    TE.flatMapEither(({ config, sandbox, size, backend }) =>
      pipe(
        planSandbox(
          config.value,
          sandbox.value,
          { imageSizeBytes: size, memoryBackendExists: backend },
          o.seed !== undefined ? seededIds(o.seed) : env.ids(),
        ),
        E.map((plan) => ({ config: config.value, sandbox: sandbox.value, plan, warnings: [...config.warnings, ...sandbox.warnings] })),
      ),
    ),
  )
