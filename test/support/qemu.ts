/**
 * The real-QEMU test harness: find the binaries, declare QEMU suites (skipped with the reason when
 * a binary is missing — but failing under CI=true), start a VM paused with a QMP socket, and read
 * back where QEMU put each device.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, it } from 'vitest'
import { toMessage } from '../../src/core/errors.ts'
import { launch, waitForSocket, type Launched } from '../../src/effects/launcher.ts'
import { waitForQmp, type QmpClient } from '../../src/effects/qmp-client.ts'

export const qemuBinary = (name: string): string | undefined => {
  for (const dir of ['/usr/bin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name)
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * `describe` for tests that need `binary`. Missing binary: skipped with the reason printed, or —
 * with CI=true — one failing test that says what is missing.
 */
export const describeQemu = (binary: string, name: string, body: (path: string) => void): void => {
  const path = qemuBinary(binary)
  if (path !== undefined) {
    describe(name, () => body(path))
    return
  }
  if (process.env.CI === 'true') {
    describe(name, () =>
      it(`needs ${binary}`, () => {
        throw new Error(`${binary} is not installed (CI=true: a missing QEMU is a failure)`)
      }),
    )
    return
  }
  console.warn(`skipping "${name}": ${binary} is not installed`)
  describe.skip(`${name} (skipped: ${binary} is not installed)`, () => body(''))
}

export const unwrap = async <A>(te: () => Promise<E.Either<import('../../src/core/errors.ts').PlanError, A>>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(toMessage(r.left))
  return r.right
}

export interface Vm {
  readonly qmp: QmpClient
  readonly proc: Launched
  readonly dir: string
  readonly close: () => Promise<void>
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'qemu-plan-'))

/**
 * Start `binary args` paused (`-S`) with a QMP socket in a temp dir (unless args have `-qmp`),
 * connect, and return the VM. `close` quits QEMU (kills it if needed) and removes the temp dir.
 */
export const launchPaused = async (
  binary: string,
  args: ReadonlyArray<string>,
  o: { dir?: string; fds?: ReadonlyArray<number>; timeoutMs?: number } = {},
): Promise<Vm> => {
  const dir = o.dir ?? tempDir()
  const qmpIdx = args.indexOf('-qmp')
  const sockPath = qmpIdx >= 0 ? ((args[qmpIdx + 1] ?? '').replace(/^unix:/, '').split(',')[0] ?? '') : join(dir, 'qmp.sock')
  const full = [
    ...args,
    ...(qmpIdx >= 0 ? [] : ['-qmp', `unix:${sockPath},server=on,wait=off`]),
    ...(args.includes('-S') ? [] : ['-S']),
    '-display',
    'none',
  ]
  const proc = await unwrap(launch(binary, full, o.fds))
  const cleanup = (): void => {
    proc.kill()
    if (o.dir === undefined) rmSync(dir, { recursive: true, force: true })
  }
  try {
    await unwrap(waitForSocket(proc, sockPath, o.timeoutMs ?? 15_000))
    const qmp = await unwrap(waitForQmp(sockPath, { process: proc, timeoutMs: o.timeoutMs ?? 15_000 }))
    return {
      qmp,
      proc,
      dir,
      close: async () => {
        await qmp.execute('quit', undefined, 2000)()
        await qmp.close()
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 2000))])
        cleanup()
      },
    }
  } catch (e) {
    cleanup()
    throw e
  }
}

export interface Found {
  readonly id: string
  /** The bus the device sits on: a bridge id (`pci-bridge-0`) or the root bus name (`pcie.0`). */
  readonly bus: string
  /** PCI slot (devfn >> 3), for PCI devices. */
  readonly slot: number | undefined
  /** CCW device number (`fe.0.0001`), for virtio-ccw devices. */
  readonly devno: string | undefined
}

/**
 * Where QEMU put `/machine/peripheral/<id>`: `parent_bus` is a QOM path ending in the bus name
 * (`/machine/q35/pcie.0`, `/machine/peripheral/pci-bridge-0/pci-bridge-0`); `addr` is the devfn
 * on PCI; virtio-ccw proxies have `devno`.
 */
export const findDevice = async (qmp: QmpClient, id: string): Promise<Found> => {
  const path = `/machine/peripheral/${id}`
  const parent = await unwrap(qmp.execute<string>('qom-get', { path, property: 'parent_bus' }))
  const segs = parent.split('/')
  const busName = segs[segs.length - 1] ?? parent
  // a bus owned by a peripheral bridge is named after the bridge
  const bus = segs[1] === 'machine' && segs[2] === 'peripheral' ? (segs[3] ?? busName) : busName
  const props = await unwrap(qmp.execute<ReadonlyArray<{ name: string }>>('qom-list', { path }))
  const has = (n: string): boolean => props.some((p) => p.name === n)
  const addr = has('addr') ? await unwrap(qmp.execute<number>('qom-get', { path, property: 'addr' })) : undefined
  const devno = has('devno') ? await unwrap(qmp.execute<string>('qom-get', { path, property: 'devno' })) : undefined
  return { id, bus, slot: typeof addr === 'number' ? addr >> 3 : undefined, devno: devno || undefined }
}
