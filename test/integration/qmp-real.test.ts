/**
 * The QMP client and launcher against real QEMU: greeting, commands, events, getfd with a real fd,
 * QEMU dying mid-command, and a bad argv reported with QEMU's own message.
 */
import { openSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, expect, it } from 'vitest'
import { launch, waitForSocket } from '../../src/effects/launcher.ts'
import { connect } from '../../src/effects/qmp-client.ts'
import { describeQemu, launchPaused, tempDir, unwrap, type Vm } from '../support/qemu.ts'

describeQemu('qemu-system-x86_64', 'QMP client on real QEMU', (bin) => {
  let vm: Vm | undefined
  afterEach(async () => {
    await vm?.close()
    vm = undefined
  })

  it('greets with QEMU 7.2 and answers query-status', async () => {
    vm = await launchPaused(bin, ['-machine', 'none', '-nodefaults'])
    expect(vm.qmp.version.major).toBeGreaterThanOrEqual(7)
    const st = await unwrap(vm.qmp.execute<{ status: string; running: boolean }>('query-status'))
    expect(st).toMatchObject({ status: 'prelaunch', running: false })
  })

  it('reports QMP errors with their class and description', async () => {
    vm = await launchPaused(bin, ['-machine', 'none', '-nodefaults'])
    const r = await vm.qmp.execute('device_del', { id: 'nope' })()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QmpError', class: 'DeviceNotFound', command: 'device_del' })
  })

  it('keeps events: STOP/RESUME after cont and stop are seen even if they raced the reply', async () => {
    vm = await launchPaused(bin, ['-machine', 'none', '-nodefaults'])
    const from = vm.qmp.mark()
    await unwrap(vm.qmp.execute('cont'))
    await unwrap(vm.qmp.execute('stop'))
    await unwrap(vm.qmp.waitForEvent('RESUME', () => true, 2000, from))
    await unwrap(vm.qmp.waitForEvent('STOP', () => true, 2000, from))
    const none = await vm.qmp.waitForEvent('SHUTDOWN', () => true, 100, from)()
    expect(E.isLeft(none) && none.left._tag).toBe('Timeout')
  })

  it('passes a real fd with getfd (SCM_RIGHTS) and closes it by name', async () => {
    vm = await launchPaused(bin, ['-machine', 'none', '-nodefaults'])
    const fd = openSync('/dev/null', 'r')
    try {
      await unwrap(vm.qmp.getfd('myfd', fd))
      await unwrap(vm.qmp.execute('closefd', { fdname: 'myfd' }))
      const again = await vm.qmp.execute('closefd', { fdname: 'myfd' })()
      expect(E.isLeft(again) && again.left._tag).toBe('QmpError')
    } finally {
      closeSync(fd)
    }
  })

  it('fails a pending command with QemuExited and its stderr when QEMU is killed mid-command', async () => {
    vm = await launchPaused(bin, ['-machine', 'none', '-nodefaults'])
    // freeze QEMU so the command is certainly still pending when QEMU dies
    vm.proc.kill('SIGSTOP')
    const started = Date.now()
    const pending = vm.qmp.execute('query-status', undefined, 5000)()
    await new Promise((r) => setTimeout(r, 100))
    vm.proc.kill('SIGKILL')
    const r = await pending
    expect(Date.now() - started).toBeLessThan(5000)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QemuExited', signal: 'SIGKILL' })
    expect(E.isLeft(r) && r.left._tag === 'QemuExited' && typeof r.left.stderr).toBe('string')
    vm = undefined
  })

  it('reports a bad argv as QEMU exiting early, with QEMU’s own message', async () => {
    const dir = tempDir()
    const sock = join(dir, 'q.sock')
    const q = await unwrap(launch(bin, ['-machine', 'no-such-machine', '-qmp', `unix:${sock},server=on,wait=off`, '-S']))
    const r = await waitForSocket(q, sock, 5000)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QemuExited', code: 1 })
    expect(E.isLeft(r) && r.left._tag === 'QemuExited' && r.left.stderr).toContain('unsupported machine type')
  })

  it('refuses a socket nobody listens on', async () => {
    const r = await connect(join(tempDir(), 'absent.sock'), { timeoutMs: 1000 })()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'ConnectionRefused', code: 'ENOENT' })
  })
})
