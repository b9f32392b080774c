/**
 * The CLI end to end against real QEMU: `qemu-plan run` in the foreground, `hotplug` and `unplug`
 * through its QMP socket and state file, and Ctrl-C stopping it cleanly with QMP `quit`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect, it } from 'vitest'
import type { Bridge } from '../../src/core/bridges.ts'
import { slotsOf } from '../support/bridges.ts'
import { describeQemu, tempDir } from '../support/qemu.ts'
import { relocate } from '../support/relocate.ts'

const cli = resolve(import.meta.dirname, '../../bin/qemu-plan.js')
const input = JSON.parse(readFileSync(resolve(import.meta.dirname, '../golden/amd64/q35-runnable-tap-fds.input.json'), 'utf8'))

describeQemu('qemu-system-x86_64', 'qemu-plan run / hotplug / unplug', () => {
  it('runs a sandbox, hot-adds a disk at the predicted slot, times out an unacknowledged unplug, and stops on SIGINT', async () => {
    const dir = tempDir()
    let child: ChildProcess | undefined
    try {
      // the runnable golden without its pre-opened tap fds (a CLI user has none to hand over)
      const g = relocate({ ...input, sandbox: { ...input.sandbox, devices: input.sandbox.devices.filter((d: { kind: string }) => d.kind !== 'network') } }, dir)
      writeFileSync(join(dir, 'config.json'), JSON.stringify(g.config))
      writeFileSync(join(dir, 'sandbox.json'), JSON.stringify(g.sandbox))
      writeFileSync(join(dir, 'disk.img'), Buffer.alloc(1 << 20))
      writeFileSync(join(dir, 'disk2.img'), Buffer.alloc(1 << 20))
      const c = spawn(process.execPath, [cli, 'run', '--config', join(dir, 'config.json'), '--sandbox', join(dir, 'sandbox.json'), '--image-size', String(g.imageSizeBytes), '--seed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
      child = c
      let out = ''
      let err = ''
      c.stdout.on('data', (d) => (out += d))
      c.stderr.on('data', (d) => (err += d))
      const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)))
      const until = Date.now() + 30_000
      while (!out.includes('running') && Date.now() < until && c.exitCode === null) await new Promise((r) => setTimeout(r, 50))
      expect(out, err).toContain('running sandbox-runnable')
      const state = join(dir, 'run', 'runnable', 'qemu-plan.state.json')

      const hot = spawnSync(process.execPath, [cli, 'hotplug', '--state', state, 'block', '--id', 'clidisk', '--file', join(dir, 'disk.img')], { encoding: 'utf8' })
      expect(hot.status, hot.stderr).toBe(0)
      expect(hot.stdout).toBe('clidisk: bus pci-bridge-0 slot 1, guest PCI path 02/01\n')
      const second = spawnSync(process.execPath, [cli, 'hotplug', '--state', state, 'block', '--id', 'clidisk2', '--file', join(dir, 'disk2.img')], { encoding: 'utf8' })
      expect(second.stdout, second.stderr).toContain('guest PCI path 02/02')

      // the guest runs a fake kernel and never acknowledges: a typed Timeout, and the slot stays taken
      const un = spawnSync(process.execPath, [cli, 'unplug', '--state', state, '--id', 'clidisk', '--timeout-ms', '300'], { encoding: 'utf8' })
      expect(un.status).toBe(1)
      expect(un.stderr).toMatch(/^Timeout: waiting for QMP event DEVICE_DELETED/)
      // the state file holds the slot map as JSON; it reads back as a bridge
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { state: { bridges: ReadonlyArray<Bridge> } }
      expect(slotsOf(saved.state.bridges[0])).toEqual({ 1: 'clidisk', 2: 'clidisk2' })

      const usage = spawnSync(process.execPath, [cli, 'hotplug', '--state', state, 'teleporter'], { encoding: 'utf8' })
      expect(usage.status).toBe(2)

      c.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(out).toContain('stopped sandbox-runnable')
    } finally {
      // a failed assertion must not leave `run` and its QEMU behind (they would load the machine
      // for every later test and benchmark): stop both, whatever state they are in
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT')
        await new Promise((r) => setTimeout(r, 2000))
        child.kill('SIGKILL')
      }
      try {
        const pid = Number(readFileSync(join(dir, 'run', 'runnable', 'pid'), 'utf8').trim())
        // never 0 or negative: those would signal a whole process group
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL')
      } catch {
        // no pid file, or QEMU already gone: the normal case
      }
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
