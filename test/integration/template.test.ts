/**
 * VM templating on real QEMU (kata-containers/runtime `virtcontainers/qemu.go` `saveSandbox`,
 * `bootFromTemplate`, `waitMigration`): a VM booted to be a template saves its device state
 * (`x-ignore-shared`, `migrate` to `exec:cat>file`, polled with `query-migrate`), and a second VM
 * booted from the template (`-incoming defer`) restores it with `migrate-incoming`.
 */
import { existsSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { render } from '../../src/core/render.ts'
import { restoreTemplate, saveTemplate } from '../../src/effects/hotplug.ts'
import { planOf } from '../support/golden.ts'
import { describeQemu, launchPaused, tempDir, unwrap } from '../support/qemu.ts'
import { relocate } from '../support/relocate.ts'

const input = (template: { bootToBeTemplate: boolean; bootFromTemplate: boolean }) => ({
  config: { hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35', default_memory: 256, disable_vhost_net: true } } },
  sandbox: {
    arch: 'amd64',
    id: template.bootFromTemplate ? 'fromtpl' : 'tpl',
    uuid: '0b5f2c1e-8a57-4a53-9b1c-2f1c1f7d9a05',
    host: { memoryMiB: 2048, nested: false },
    template: { ...template, memoryPath: '/run/tpl/memory', devicesStatePath: '/run/tpl/state' },
  },
})

describeQemu('qemu-system-x86_64', 'VM templating on real QEMU (x86_64 q35, TCG)', (bin) => {
  it('saves a template VM and restores it into a VM booted from the template', async () => {
    const dir = tempDir()
    try {
      const mem = join(dir, 'template-memory')
      const state = join(dir, 'template-state')
      writeFileSync(mem, '')
      truncateSync(mem, 256 << 20)
      const fix = (i: ReturnType<typeof input>) => {
        const r = relocate(i, dir) as { sandbox: { template: Record<string, string> } }
        r.sandbox.template.memoryPath = mem
        r.sandbox.template.devicesStatePath = state
        return r as unknown as ReturnType<typeof input>
      }
      const tplPlan = planOf(fix(input({ bootToBeTemplate: true, bootFromTemplate: false })))
      if (E.isLeft(tplPlan)) throw new Error(tplPlan.left)
      const a = await launchPaused(bin, E.getOrElseW(() => ({ args: [] as ReadonlyArray<string> }))(render(tplPlan.right, 'qemu')).args, {
        dir,
      })
      try {
        await unwrap(saveTemplate(a.qmp, tplPlan.right, state, 20_000))
      } finally {
        await a.close()
      }
      expect(existsSync(state) && statSync(state).size).toBeGreaterThan(0)

      const fromPlan = planOf(fix(input({ bootToBeTemplate: false, bootFromTemplate: true })))
      if (E.isLeft(fromPlan)) throw new Error(fromPlan.left)
      const args = E.getOrElseW(() => ({ args: [] as ReadonlyArray<string> }))(render(fromPlan.right, 'qemu')).args
      expect(args.join(' ')).toContain('-incoming defer')
      const b = await launchPaused(bin, args, { dir })
      try {
        expect((await unwrap(b.qmp.execute<{ status: string }>('query-status'))).status).toBe('inmigrate')
        await unwrap(restoreTemplate(b.qmp, fromPlan.right, state, 20_000))
        const st = await unwrap(b.qmp.execute<{ status: string }>('query-migrate'))
        expect(st.status).toBe('completed')
      } finally {
        await b.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
