/**
 * Faults QEMU cannot be made to produce, from a scripted peer on a unix socket: each must end in
 * its typed error or the right answer — never a hang, an unhandled rejection or a leaked socket.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/effects/qmp-client.ts'
import { tempDir, unwrap } from '../support/qemu.ts'

const greeting = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": []}}\n'
const ts = '"timestamp": {"seconds": 1, "microseconds": 2}'

let server: Server | undefined
let dir: string | undefined
const peers: Array<Socket> = []

/** A peer that runs `script` for each line it receives (with the parsed id). */
const peer = async (
  onConnect: (s: Socket) => void,
  onLine: (s: Socket, msg: { execute: string; id: number }) => void = () => {},
): Promise<string> => {
  dir = tempDir()
  const path = join(dir, 'peer.sock')
  server = createServer((s) => {
    peers.push(s)
    let buf = ''
    s.on('data', (d) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        onLine(s, JSON.parse(line))
      }
    })
    s.on('error', () => {})
    onConnect(s)
  })
  await new Promise<void>((r) => server?.listen(path, r))
  return path
}

/** The usual happy negotiation: greeting, then `{"return":{}}` to qmp_capabilities. */
const handshake = (s: Socket, m: { execute: string; id: number }): boolean => {
  if (m.execute !== 'qmp_capabilities') return false
  s.write(`{"return": {}, "id": ${m.id}}\n`)
  return true
}

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = undefined
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('QMP client against a scripted peer', () => {
  it('a peer that never greets: Timeout', async () => {
    const path = await peer(() => {})
    const r = await connect(path, { timeoutMs: 200 })()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'Timeout' })
  })

  it('a reply split into single bytes is still one reply', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => {
        if (handshake(s, m)) return
        const reply = `{"return": {"status": "running", "running": true}, "id": ${m.id}}\n`
        let i = 0
        const drip = (): void => {
          if (i < reply.length) s.write(reply[i++] as string, () => setImmediate(drip))
        }
        drip()
      },
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    expect(await unwrap(c.execute('query-status'))).toEqual({ status: 'running', running: true })
    await c.close()
  })

  it('a line over 64 KiB: QmpProtocol, and the connection is closed', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => {
        if (handshake(s, m)) return
        s.write(`{"return": "${'x'.repeat(70 * 1024)}", "id": ${m.id}}\n`)
      },
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    const r = await c.execute('query-status')()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QmpProtocol' })
    const after = await c.execute('query-status')()
    expect(E.isLeft(after)).toBe(true)
    await c.close()
  })

  it('garbage JSON: QmpProtocol naming the line', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => (handshake(s, m) ? undefined : void s.write('{"return": oops}\n')),
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    const r = await c.execute('query-status')()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QmpProtocol', line: '{"return": oops}' })
    await c.close()
  })

  it('events flooding between a command and its reply are all kept, and the reply still matches', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => {
        if (handshake(s, m)) return
        let flood = ''
        for (let i = 0; i < 5000; i++) flood += `{"event": "TICK", "data": {"n": ${i}}, ${ts}}\n`
        s.write(flood + `{"return": {"ok": true}, "id": ${m.id}}\n`)
      },
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    expect(await unwrap(c.execute('query-status'))).toEqual({ ok: true })
    expect(c.events().filter((e) => e.event === 'TICK')).toHaveLength(5000)
    const last = await unwrap(c.waitForEvent('TICK', (e) => e.data.n === 4999, 100))
    expect(last.data).toEqual({ n: 4999 })
    await c.close()
  })

  it('the peer closes mid-reply: the pending command fails with Closed', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => (handshake(s, m) ? undefined : void s.end('{"return": {"sta')),
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    const r = await c.execute('query-status')()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'Closed' })
    await c.close()
  })

  it('a peer that stalls after the greeting: Timeout for the command, in bounded time', async () => {
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => void handshake(s, m),
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    const t0 = Date.now()
    const r = await c.execute('query-status', undefined, 150)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'Timeout', ms: 150 })
    expect(Date.now() - t0).toBeLessThan(1000)
    await c.close()
  })

  it('replies out of order are matched by id', async () => {
    const held: Array<number> = []
    const path = await peer(
      (s) => s.write(greeting),
      (s, m) => {
        if (handshake(s, m)) return
        held.push(m.id)
        if (held.length === 2) for (const id of [...held].reverse()) s.write(`{"return": ${id}, "id": ${id}}\n`)
      },
    )
    const c = await unwrap(connect(path, { timeoutMs: 3000 }))
    const [a, b] = await Promise.all([unwrap(c.execute<number>('a')), unwrap(c.execute<number>('b'))])
    expect(b).toBe(a + 1)
    await c.close()
  })
})
