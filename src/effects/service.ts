/**
 * Planning inside a long-running service: the configuration is decoded once, at start, and each
 * sandbox then costs one decode of its JSON text, one synchronous `stat` of the image, the random
 * ids, and the pure planner. Nothing here waits on the event loop: a `stat` of a local file takes
 * a few microseconds, where an awaited one pays a thread-pool round trip and promise jobs that
 * cost more than the planning itself (BENCHMARKS.md, the embedded-service row).
 *
 * The same ports as `loadPlan`, in their synchronous form; `nodeSyncFileSystem` is the Node
 * adapter, and a test hands in a fake.
 *
 * @since 0.3.0
 */
import { randomFillSync } from 'node:crypto'
import { statSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { planSandbox } from '../arch/planner.ts'
import { imageNotFound, invalidInput, type PlanError } from '../core/errors.ts'
import type { HypervisorConfig } from '../core/input/config.ts'
import { decodeSandbox } from '../core/input/sandbox.ts'
import { memoryBackendPath } from '../core/preflight.ts'
import type { Plan } from '../core/vm.ts'
import { drawnIds, statError, type Ids } from './ports.ts'

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

/** `FileSystem.size` without the event loop. @since 0.3.0 @category ports */
export interface SyncFileSystem {
  /** Size in bytes; a missing file is `ImageNotFound`. */
  readonly sizeSync: (path: string) => E.Either<PlanError, number>
}

/** @since 0.3.0 @category ports */
export type ServiceEnv = SyncFileSystem & Ids

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/** @since 0.3.0 @category adapters */
export const nodeSyncFileSystem: SyncFileSystem = {
  sizeSync: (path) => {
    try {
      const st = statSync(path, { throwIfNoEntry: false })
      return st === undefined ? E.left(imageNotFound({ path })) : E.right(st.size)
    } catch (e) {
      return E.left(statError(path, e))
    }
  },
}

/**
 * Ids from the OS CSPRNG, as `nodeIds`, drawn from a pool: one `randomFillSync` of 4 KiB serves
 * 512 ids, where a `randomBytes(8)` per id costs a call into the CSPRNG and a new buffer each time
 * (as Node's own `randomUUID` caches its random bytes). One value per key for the life of a source,
 * as with `nodeIds`; no byte of the pool is handed out twice.
 *
 * @since 0.3.0
 * @category adapters
 */
export const pooledIds = (poolBytes = 4096): Ids => {
  const pool = Buffer.alloc(poolBytes)
  let at = poolBytes
  const draw = (): string => {
    if (at + 8 > poolBytes) {
      randomFillSync(pool)
      at = 0
    }
    const hex = pool.toString('hex', at, at + 8)
    at += 8
    return hex
  }
  return drawnIds(draw)
}

/** The Node adapters: `statSync` and pooled ids from the OS CSPRNG. @since 0.3.0 @category adapters */
export const nodeServiceEnv: ServiceEnv = { ...nodeSyncFileSystem, ...pooledIds() }

// -------------------------------------------------------------------------------------
// programs
// -------------------------------------------------------------------------------------

/**
 * Plan one sandbox, given as JSON text, under an already decoded configuration: decode the
 * sandbox, `stat` the image (and the file-backed memory location, when there is one), draw the
 * ids, plan. The sandbox's `host` facts are used as they are (a service fills them once, not per
 * sandbox).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeConfig, render } from 'qemu-plan'
 * import { planSandboxText } from 'qemu-plan/node'
 *
 * const config = decodeConfig({ hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35' } } })
 * assert.ok(E.isRight(config))
 * // once per sandbox, from the JSON text a request carried:
 * const text = '{"arch":"amd64","id":"sb1","uuid":"4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11","host":{"memoryMiB":4096,"nested":false,"cpus":4}}'
 * const argv = E.flatMap(planSandboxText(config.right.value, text), (plan) => render(plan, 'qemu'))
 * assert.ok(E.isRight(argv) && argv.right.args.includes('sandbox-sb1'))
 * // bad text is a typed error naming what was wrong, not a throw
 * assert.deepEqual(E.mapLeft((e: { _tag: string }) => e._tag)(planSandboxText(config.right.value, '{')), E.left('InvalidInput'))
 *
 * @since 0.3.0
 * @category programs
 */
export const planSandboxText = (
  config: HypervisorConfig,
  sandboxText: string,
  env: ServiceEnv = nodeServiceEnv,
): E.Either<PlanError, Plan> => {
  let doc: unknown
  try {
    doc = JSON.parse(sandboxText)
  } catch (e) {
    return E.left(invalidInput({ problems: [{ path: '', expected: 'valid JSON', actual: e instanceof Error ? e.message : String(e) }] }))
  }
  const sandbox = decodeSandbox(doc)
  if (sandbox._tag === 'Left') return sandbox
  let imageSizeBytes: number | undefined
  if (config.image !== undefined && config.initrd === undefined) {
    const size = env.sizeSync(config.image)
    if (size._tag === 'Left') return size
    imageSizeBytes = size.right
  }
  const backend = memoryBackendPath(config)
  const memoryBackendExists = backend === undefined ? undefined : env.sizeSync(backend)._tag === 'Right'
  return planSandbox(config, sandbox.right.value, { imageSizeBytes, memoryBackendExists }, env.ids())
}
