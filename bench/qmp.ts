/**
 * QMP figures on a real QEMU (x86_64 q35, TCG, paused): spawn → QMP ready, the client's
 * `query-status` round trip against a bare unix-socket write/read of the same bytes on the same
 * VM, and hot-plug latency (plan + execute) for a virtio-blk disk. Prints medians as JSON.
 *
 *   npx tsx bench/qmp.ts [--runs 10] [--rtt 300] [--hotplug 20]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { hotplugBlock } from '../src/arch/hotplug.ts'
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { decodeConfig } from '../src/core/input/config.ts'
import { decodeSandbox } from '../src/core/input/sandbox.ts'
import { render } from '../src/core/render.ts'
import type { Plan } from '../src/core/vm.ts'
import { execute } from '../src/effects/hotplug.ts'
import { launch, waitForSocket, type Launched } from '../src/effects/launcher.ts'
import { connect, waitForQmp, type QmpClient } from '../src/effects/qmp-client.ts'
import { median } from './stats.ts'

const ok = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

export const benchPlan = (dir: string): Plan => {
  writeFileSync(join(dir, 'k'), Buffer.alloc(64 * 1024))
  const c = ok(
    decodeConfig({
      kernel: '/bin/true',
      initrd: '/bin/true',
      machine_type: 'q35',
      default_bridges: 1,
      disable_vhost_net: true,
      default_memory: 512,
    }),
  )
  const s = ok(
    decodeSandbox({
      arch: 'amd64',
      id: 'bench',
      uuid: '0b5f2c1e-8a57-4a53-9b1c-2f1c1f7d9a03',
      runDir: dir,
      host: { memoryMiB: 2048, nested: false, accelerator: 'tcg' },
    }),
  )
  return ok(planSandbox(c.value, s.value, {}, seededIds(1)))
}

/** A q35 VM from the plan, paused, QMP ready; returns the ms it took. */
export const startVm = async (plan: Plan): Promise<{ proc: Launched; qmp: QmpClient; readyMs: number }> => {
  const r = ok(render(plan, 'qemu'))
  const args = r.args.flatMap((a, i, all) =>
    a === '-kernel' ||
    all[i - 1] === '-kernel' ||
    a === '-initrd' ||
    all[i - 1] === '-initrd' ||
    a === '-append' ||
    all[i - 1] === '-append'
      ? []
      : [a],
  )
  mkdirSync(dirname(plan.qmpPath), { recursive: true })
  const t0 = performance.now()
  const proc = ok(await launch(r.binary, [...args, '-S', '-display', 'none'])())
  ok(await waitForSocket(proc, plan.qmpPath, 10_000)())
  const qmp = ok(await waitForQmp(plan.qmpPath, { process: proc })())
  return { proc, qmp, readyMs: performance.now() - t0 }
}

const rawRtt = async (path: string, n: number): Promise<ReadonlyArray<number>> => {
  const sock = createConnection(path)
  let buf = ''
  let wake: (() => void) | undefined
  sock.setEncoding('utf8')
  sock.on('data', (d: string) => {
    buf += d
    wake?.()
  })
  const line = async (): Promise<string> => {
    while (!buf.includes('\n')) await new Promise<void>((r) => (wake = r))
    const i = buf.indexOf('\n')
    const l = buf.slice(0, i)
    buf = buf.slice(i + 1)
    return l
  }
  await line() // greeting
  sock.write('{"execute":"qmp_capabilities","id":0}\n')
  await line()
  const out: Array<number> = []
  for (let i = 1; i <= n; i++) {
    const t = performance.now()
    sock.write(`{"execute":"query-status","id":${i}}\n`)
    await line()
    out.push(performance.now() - t)
  }
  sock.destroy()
  return out
}

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, rtt: { type: 'string' }, hotplug: { type: 'string' } } })
  const runs = Number(values.runs ?? 10)
  const rtts = Number(values.rtt ?? 600)
  const hots = Number(values.hotplug ?? 20)
  const ready: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'qp-bench-'))
    const vm = await startVm(benchPlan(dir))
    ready.push(vm.readyMs)
    await vm.qmp.execute('quit')()
    await vm.proc.exited
    rmSync(dir, { recursive: true, force: true })
  }
  const dir = mkdtempSync(join(tmpdir(), 'qp-bench-'))
  let plan = benchPlan(dir)
  const vm = await startVm(plan)
  const hot: Array<number> = []
  for (let i = 0; i < hots; i++) {
    const f = join(dir, `d${i}.img`)
    writeFileSync(f, Buffer.alloc(1 << 16))
    const t = performance.now()
    plan = ok(await execute(vm.qmp, ok(hotplugBlock(plan, { id: `disk${i}`, file: f })))())
    hot.push(performance.now() - t)
  }
  // QEMU serves one QMP client at a time: alternate blocks of client and raw round trips on the
  // same VM, so drift (CPU frequency, the other core's load) hits both alike
  await vm.qmp.close()
  const client: Array<number> = []
  const raw: Array<number> = []
  const rounds = 6
  for (let round = 0; round < rounds; round++) {
    const c = ok(await connect(plan.qmpPath, { process: vm.proc })())
    for (let i = 0; i < 10; i++) await c.execute('query-status')() // warm up
    for (let i = 0; i < Math.ceil(rtts / rounds); i++) {
      const t = performance.now()
      ok(await c.execute('query-status')())
      client.push(performance.now() - t)
    }
    await c.close()
    raw.push(...(await rawRtt(plan.qmpPath, Math.ceil(rtts / rounds) + 10)).slice(10))
  }
  vm.proc.kill()
  await vm.proc.exited
  rmSync(dir, { recursive: true, force: true })
  const r = {
    spawnToReadyMs: median(ready),
    queryStatusClientMs: median(client),
    queryStatusRawMs: median(raw),
    clientOverRaw: median(client) / median(raw),
    hotplugBlockMs: median(hot),
    runs: { spawn: runs, rtt: rtts, hotplug: hots },
  }
  console.log(JSON.stringify(r, null, 2))
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
