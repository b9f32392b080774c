/**
 * Launching QEMU: spawn the planned argv with the planned host fds as the child's extra
 * descriptors (entry i of `fds` becomes fd 3 + i, as govmm numbers them), capture stderr, and
 * report an early exit with QEMU's own message.
 *
 * @since 0.1.0
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { io, qemuExited, timeout, type PlanError } from '../core/errors.ts'
import { errnoCode } from './files.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface Exit {
  readonly code: number | null
  readonly signal: string | null
}

/** A running QEMU. @since 0.1.0 @category model */
export interface Launched {
  readonly pid: number
  /** Everything QEMU wrote to stderr so far. */
  readonly stderr: () => string
  /** Resolves when QEMU exits. */
  readonly exited: Promise<Exit>
  /** The exit, once it happened. */
  readonly exit: () => Exit | undefined
  readonly kill: (signal?: NodeJS.Signals) => void
}

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/**
 * Spawn QEMU. Fails only if the binary cannot be started at all.
 *
 * @since 0.1.0
 * @category adapters
 */
export const launch =
  (binary: string, args: ReadonlyArray<string>, fds: ReadonlyArray<number> = []): TE.TaskEither<PlanError, Launched> =>
  () =>
    new Promise((resolve) => {
      let err = ''
      let exit: Exit | undefined
      let child: ReturnType<typeof spawn>
      try {
        child = spawn(binary, [...args], { stdio: ['ignore', 'ignore', 'pipe', ...fds] })
      } catch (e) {
        // what the kernel refuses before any process exists: E2BIG (an argument over 128 KiB, or
        // too many), a NUL byte in an argument (EINVAL), …
        return resolve({ _tag: 'Left', left: io({ op: 'spawn', path: binary, code: errnoCode(e) }) })
      }
      child.stderr?.setEncoding('utf8').on('data', (s: string) => {
        if (err.length < 1 << 20) err += s
      })
      const exited = new Promise<Exit>((res) => child.on('exit', (code, signal) => res((exit = { code, signal }))))
      child.once('error', (e) =>
        resolve({ _tag: 'Left', left: qemuExited({ code: null, signal: null, stderr: `cannot start ${binary}: ${e.message}` }) }),
      )
      child.once('spawn', () =>
        resolve({
          _tag: 'Right',
          right: { pid: child.pid ?? -1, stderr: () => err, exited, exit: () => exit, kill: (s = 'SIGKILL') => void child.kill(s) },
        }),
      )
    })

/** The `QemuExited` error for a process that has exited. @since 0.1.0 @category adapters */
export const exitedError = (q: Launched, e: Exit): PlanError => qemuExited({ code: e.code, signal: e.signal, stderr: q.stderr() })

/**
 * Wait until `path` exists (QEMU created its QMP socket), or QEMU exits, or time runs out.
 *
 * @since 0.1.0
 * @category adapters
 */
export const waitForSocket =
  (q: Launched, path: string, ms: number): TE.TaskEither<PlanError, void> =>
  () =>
    new Promise((resolve) => {
      const start = Date.now()
      const tick = (): void => {
        const e = q.exit()
        if (e) return resolve({ _tag: 'Left', left: exitedError(q, e) })
        if (existsSync(path)) return resolve({ _tag: 'Right', right: undefined })
        if (Date.now() - start > ms) return resolve({ _tag: 'Left', left: timeout({ op: `waiting for QMP socket ${path}`, ms }) })
        setTimeout(tick, 5)
      }
      tick()
    })
