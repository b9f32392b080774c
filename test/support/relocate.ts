/**
 * Make a golden scenario runnable on this machine: every host path it names (kernel, image,
 * disks, shares, sockets, run dir) moves into a temp dir with a real file or folder behind it,
 * and the host accelerator becomes TCG. The plan is otherwise the golden one.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GoldenInput } from './golden.ts'
import { fakeKernel, type Arch } from './kernels.ts'

type Json = Record<string, unknown>

const file = (dir: string, name: string, size: number): string => {
  const p = join(dir, name)
  writeFileSync(p, '')
  truncateSync(p, size)
  return p
}

export const relocate = (input: GoldenInput, dir: string): GoldenInput => {
  const sb = structuredClone(input.sandbox) as Json
  const cfgRoot = structuredClone(input.config) as Json
  const q = ((cfgRoot.hypervisor as Json | undefined)?.qemu as Json | undefined) ?? cfgRoot
  const arch = sb.arch as Arch
  const k = fakeKernel(arch, dir)
  q.kernel = k.kernel
  if (q.initrd !== undefined) q.initrd = k.initrd
  if (q.image !== undefined) q.image = file(dir, 'rootfs.img', input.imageSizeBytes ?? 128 << 20)
  if (q.firmware !== undefined) q.firmware = file(dir, 'firmware.bin', 64 * 1024)
  if (q.file_mem_backend !== undefined) q.file_mem_backend = dir
  delete q.path
  sb.runDir = join(dir, 'run')
  mkdirSync(join(dir, 'run', String(sb.id)), { recursive: true })
  if (sb.consolePath !== undefined) sb.consolePath = join(dir, 'console.sock')
  sb.daemonize = false
  sb.host = { ...(sb.host as Json), accelerator: 'tcg' }
  if (sb.template !== undefined) {
    const t = sb.template as Json
    t.memoryPath = file(dir, 'template-mem', 0)
    t.devicesStatePath = join(dir, 'state')
  }
  sb.devices = ((sb.devices as Array<Json> | undefined) ?? []).map((d, i) => {
    switch (d.kind) {
      case 'volume': {
        const p = join(dir, `share-${i}`)
        mkdirSync(p)
        return { ...d, hostPath: p }
      }
      case 'block':
        return { ...d, file: file(dir, `disk-${i}.img`, 16 << 20), format: 'raw' }
      case 'socket':
      case 'vhostUser':
        return d.kind === 'socket' ? { ...d, hostPath: join(dir, `sock-${i}`) } : { ...d, socketPath: join(dir, `vhu-${i}`) }
      default:
        return d
    }
  })
  return { ...input, config: cfgRoot, sandbox: sb }
}
