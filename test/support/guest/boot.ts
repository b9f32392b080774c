/**
 * Booting a real Linux guest from the plan's own argv. A sandbox is planned through the public
 * path (decode → planSandbox → render, `qemu` dialect) with the Debian kernel and the busybox
 * initramfs of `image.ts` as `kernel`/`initrd`, TCG, and `rdinit=/init`; QEMU starts paused, the
 * console socket gets its client before the guest can write (QEMU drops what a `wait=off` chardev
 * gets while nobody is connected), then `cont`, and the guest's `QP ready` line ends the boot.
 *
 * `describeGuest` gates a suite as `describeQemu` does: a missing QEMU binary or missing guest
 * packages skip it with the reason printed, and under CI=true are a failing test naming them.
 */
import { existsSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, it } from 'vitest'
import { render } from '../../../src/core/render.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { planOf } from '../golden.ts'
import { launchPaused, qemuBinary, tempDir, unwrap, type Vm } from '../qemu.ts'
import { connectConsole, type Console, type Line } from './console.ts'
import { findDebs, guestImage, type GuestArch, type GuestImage } from './image.ts'

export const binaries: Readonly<Record<GuestArch, string>> = {
  amd64: 'qemu-system-x86_64',
  arm64: 'qemu-system-aarch64',
  s390x: 'qemu-system-s390x',
}

/** What a guest suite for `arch` needs and this machine lacks, or undefined. */
export const guestMissing = (arch: GuestArch): string | undefined => {
  const missing = [
    qemuBinary(binaries[arch]) === undefined ? `${binaries[arch]} is not installed` : undefined,
    qemuBinary('dpkg-deb') === undefined ? 'dpkg-deb is not installed' : undefined,
    ((d) => (typeof d === 'string' ? `missing ${d}` : undefined))(findDebs(arch)),
  ].filter((m): m is string => m !== undefined)
  return missing.length > 0 ? missing.join('; ') : undefined
}

/** `describe` for a real-guest suite; `body` gets the QEMU binary's path. */
export const describeGuest = (arch: GuestArch, name: string, body: (binary: string) => void): void => {
  const missing = guestMissing(arch)
  if (missing === undefined) {
    describe(name, () => body(qemuBinary(binaries[arch]) as string))
    return
  }
  if (process.env.CI === 'true') {
    describe(name, () =>
      it('needs QEMU and the guest packages', () => {
        throw new Error(`${missing} (CI=true: a missing real-guest ingredient is a failure)`)
      }),
    )
    return
  }
  console.warn(`skipping "${name}": ${missing}`)
  describe.skip(`${name} (skipped: ${missing})`, () => body(''))
}

export interface GuestOptions {
  readonly arch: GuestArch
  readonly id: string
  /** `[hypervisor.qemu]` keys on top of the guest's (kernel, initrd, kernel_params, memory…). */
  readonly qemu?: Readonly<Record<string, unknown>>
  readonly bootTimeoutMs?: number
}

export interface Guest {
  readonly vm: Vm
  readonly plan: Plan
  readonly console: Console
  readonly image: GuestImage
  readonly dir: string
  /** The `QP ready` line's time, and the lines it came with (the devices present at boot). */
  readonly ready: Line
  /** A file of `bytes` in the guest's temp dir, for a hot-plugged disk. */
  readonly disk: (name: string, bytes?: number) => string
  readonly close: () => Promise<void>
}

const uuid = '6a1f0c1e-3f57-4c53-9b1c-2f1c1f7d9a10'

/** The configuration and sandbox a guest boots from: small, TCG, no vsock, virtio-blk. */
export const guestInput = (o: GuestOptions, image: GuestImage, runDir: string) => ({
  config: {
    hypervisor: {
      qemu: {
        kernel: image.kernel,
        initrd: image.initrd,
        kernel_params: 'rdinit=/init',
        default_vcpus: 1,
        default_maxvcpus: 2,
        default_memory: 256,
        memory_slots: 2,
        default_bridges: 1,
        block_device_driver: 'virtio-blk',
        disable_vhost_net: true,
        ...o.qemu,
      },
    },
  },
  sandbox: { arch: o.arch, id: o.id, uuid, runDir, host: { memoryMiB: 2048, nested: false, accelerator: 'tcg' } },
})

const waitForFile = async (path: string, ms: number): Promise<void> => {
  const until = Date.now() + ms
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Plan, launch paused, attach the console, `cont`, and wait for `QP ready`. */
export const bootGuest = async (binary: string, o: GuestOptions): Promise<Guest> => {
  const image = guestImage(o.arch)
  const dir = tempDir()
  const runDir = join(dir, 'run')
  mkdirSync(join(runDir, o.id), { recursive: true })
  let vm: Vm | undefined
  let con: Console | undefined
  const close = async (): Promise<void> => {
    con?.close()
    await vm?.close()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const planned = planOf(guestInput(o, image, runDir))
    if (E.isLeft(planned)) throw new Error(planned.left)
    const plan = planned.right
    const rendered = render(plan, 'qemu')
    if (E.isLeft(rendered)) throw new Error(JSON.stringify(rendered.left))
    vm = await launchPaused(binary, rendered.right.args, { dir })
    const sock = join(runDir, o.id, 'console.sock')
    await waitForFile(sock, 10_000)
    con = await connectConsole(sock)
    await unwrap(vm.qmp.execute('cont'))
    const ready = await con.waitFor(/^ready /, o.bootTimeoutMs ?? 120_000).catch((e: Error) => {
      throw new Error(`${e.message}; QEMU stderr: ${vm?.proc.stderr().slice(-2000) ?? ''}`)
    })
    const disk = (name: string, bytes = 1 << 20): string => {
      const p = join(dir, name)
      writeFileSync(p, '')
      truncateSync(p, bytes)
      return p
    }
    return { vm, plan, console: con, image, dir, ready, disk, close }
  } catch (e) {
    await close()
    throw e
  }
}
