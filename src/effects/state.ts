/**
 * The running VM's plan on disk (Kata persisted its bridges in `QemuState`): `run` writes it next
 * to the QMP socket, every hot-plug reads it and writes the plan it ends with, so slots are
 * allocated from what the VM really has.
 *
 * @since 0.1.0
 */
import { dirname } from 'node:path'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { invalidInput, io, type PlanError } from '../core/errors.ts'
import type { Plan } from '../core/vm.ts'
import { ensureDir, errnoCode, readBounded, writeAtomic } from './files.ts'

/** Where a plan's state file lives: beside its QMP socket. @since 0.1.0 @category utils */
export const statePath = (plan: Pick<Plan, 'qmpPath'>): string => `${dirname(plan.qmpPath)}/qemu-plan.state.json`

/** Write the state file atomically (a reader sees the old plan or the new one, never half), creating its directory. @since 0.1.0 @category adapters */
export const writeState = (path: string, plan: Plan): TE.TaskEither<PlanError, void> =>
  TE.flatMap(ensureDir(dirname(path)), () => writeAtomic(path, JSON.stringify(plan)))

/** @since 0.1.0 @category adapters */
export const readState = (path: string): TE.TaskEither<PlanError, Plan> =>
  TE.tryCatch(
    async () => {
      const text = await readBounded(path).catch((e: unknown) => {
        throw io({ op: 'read', path, code: errnoCode(e) })
      })
      const p = JSON.parse(text) as Plan
      if (typeof p !== 'object' || p === null || !Array.isArray(p.devices) || typeof p.qmpPath !== 'string') throw invalidInput({ problems: [{ path, expected: 'a qemu-plan state file', actual: 'something else' }] })
      return p
    },
    (e) => (typeof e === 'object' && e !== null && '_tag' in e ? (e as PlanError) : invalidInput({ problems: [{ path, expected: 'JSON', actual: String(e) }] })),
  )
