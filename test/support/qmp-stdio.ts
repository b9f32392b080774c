/**
 * A tiny, temporary QMP adapter for tests: start a QEMU binary with `-machine none -qmp stdio`,
 * read newline-delimited JSON, answer one command at a time. It stands in for the project's QMP
 * client (being written elsewhere) so the probe can run today; swap it for that client's
 * executor when it lands.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { QmpExecutor } from '../../src/effects/probe.ts'

export const withQmpStdio = async <A>(binary: string, f: (q: QmpExecutor) => Promise<A>, timeoutMs = 20_000): Promise<A> => {
  const child = spawn(binary, ['-machine', 'none', '-nodefaults', '-display', 'none', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const lines = createInterface({ input: child.stdout })
  const waiting: Array<(line: Record<string, unknown>) => void> = []
  const early: Array<Record<string, unknown>> = []
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>
    if ('event' in msg) return
    const w = waiting.shift()
    if (w) w(msg)
    else early.push(msg)
  })
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const e = early.shift()
      if (e) return resolve(e)
      const timer = setTimeout(() => reject(new Error(`no answer from ${binary} within ${timeoutMs} ms: ${stderr}`)), timeoutMs)
      waiting.push((m) => {
        clearTimeout(timer)
        resolve(m)
      })
    })
  const send = async (execute: string, args?: Readonly<Record<string, unknown>>): Promise<unknown> => {
    child.stdin.write(`${JSON.stringify(args === undefined ? { execute } : { execute, arguments: args })}\n`)
    const m = await next()
    if ('error' in m) throw new Error(`${execute}: ${JSON.stringify(m.error)}`)
    return m.return
  }
  try {
    const greeting = await next()
    if (!('QMP' in greeting)) throw new Error(`no QMP greeting from ${binary}: ${JSON.stringify(greeting)}`)
    await send('qmp_capabilities')
    return await f({ execute: send })
  } finally {
    child.stdin.write('{"execute":"quit"}\n')
    setTimeout(() => child.kill('SIGKILL'), 2000).unref()
  }
}
