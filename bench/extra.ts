/**
 * The rows that need a process of their own or real I/O: the effects-inclusive path (real stat,
 * crypto ids), resident-memory growth over 10,000 plans, the QMP round trip on a real QEMU, and the
 * installed CLI's whole-process start-up.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { render } from '../src/core/render.ts'
import { loadPlan } from '../src/effects/load.ts'
import { exampleConfigDoc, exampleSandboxText } from './inputs.ts'
import type { Startup } from './startup.ts'
import { median } from './stats.ts'

export interface Extras {
  readonly effectsUs: number
  readonly alloc: { typical: Alloc; large: Alloc } | string
  readonly rss: { plans: number; growthMiB: number; ms: number }
  readonly qmp:
    | { spawnToReadyMs: number; queryStatusClientMs: number; queryStatusRawMs: number; clientOverRaw: number; hotplugBlockMs: number }
    | string
  readonly startup: Startup | string
}

const node = (script: string, args: ReadonlyArray<string>, flags: ReadonlyArray<string> = []): string =>
  execFileSync(process.execPath, [...flags, '--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })

/** `loadPlan`: read both files, `stat` a real 128 MiB image (awaited), draw crypto ids, plan and render (the example sandbox). */
const effects = async (runs: number): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'qp-bench-fx-'))
  try {
    const img = join(dir, 'rootfs.img')
    writeFileSync(img, '')
    truncateSync(img, 134_217_728)
    const h = exampleConfigDoc.hypervisor as { qemu: Record<string, unknown> }
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ hypervisor: { qemu: { ...h.qemu, image: img } } }))
    writeFileSync(join(dir, 'sandbox.json'), exampleSandboxText)
    const t: Array<number> = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      const l = await loadPlan({ configPath: join(dir, 'config.json'), sandboxPath: join(dir, 'sandbox.json') })()
      if (E.isLeft(l) || E.isLeft(render(l.right.plan, 'govmm'))) throw new Error('effects path failed')
      t.push((performance.now() - t0) * 1000)
    }
    return median(t.slice(Math.floor(runs / 10)))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface Alloc {
  readonly planBytes: number
  readonly renderBytes: number
  readonly devices: number
}

const allocFlags = ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256']

export const extras = async (o: { quick: boolean; noQemu: boolean }): Promise<Extras> => {
  const effectsUs = await effects(o.quick ? 200 : 2000)
  console.log(`loadPlan path (read files, async stat, crypto ids, plan, render): median ${effectsUs.toFixed(1)} µs`)
  let alloc: Extras['alloc']
  try {
    alloc = {
      typical: JSON.parse(node('./alloc.ts', ['vtypical'], allocFlags)) as Alloc,
      large: JSON.parse(node('./alloc.ts', ['vlarge'], allocFlags)) as Alloc,
    }
    console.log(`bytes per typical plan: ${alloc.typical.planBytes}, render ${alloc.typical.renderBytes}`)
  } catch (e) {
    alloc = `not measured: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`
  }
  const rss = JSON.parse(node('./rss.ts', ['10000'], ['--expose-gc'])) as Extras['rss']
  console.log(`RSS growth over ${rss.plans} plans: ${rss.growthMiB.toFixed(1)} MiB`)
  let qmp: Extras['qmp'] = 'skipped: --no-qemu'
  if (!o.noQemu) {
    try {
      qmp = JSON.parse(
        node(
          './qmp.ts',
          o.quick ? ['--runs', '3', '--rtt', '300', '--hotplug', '5'] : ['--runs', '10', '--rtt', '1200', '--hotplug', '20'],
        ),
      ) as Extras['qmp']
      console.log(`QMP: ${JSON.stringify(qmp)}`)
    } catch (e) {
      qmp = `skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (is qemu-system-x86_64 installed?)`
    }
  }
  let startup: Extras['startup']
  try {
    startup = JSON.parse(node('./startup.ts', ['--runs', o.quick ? '10' : '30'])) as Startup
    console.log(
      `CLI start-up: median ${startup.cliMs.median.toFixed(0)} ms, node -e 0 ${startup.nodeMs.median.toFixed(0)} ms (${startup.ratio.toFixed(2)}×)`,
    )
  } catch (e) {
    startup = `skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`
  }
  return { effectsUs, alloc, rss, qmp, startup }
}
