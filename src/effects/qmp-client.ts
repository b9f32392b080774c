/**
 * The QMP client — the only stateful piece of qemu-plan. Over a unix socket it reads the greeting,
 * negotiates `qmp_capabilities`, and then sends commands with an `id` each and matches replies by
 * id (not FIFO as govmm did). Events are kept in a log, so an event that arrives between a command
 * and its reply — or before anyone waits for it — is never lost. Every wait has a timeout; lines
 * over the length limit, garbage and a peer that closes mid-reply end in typed errors; a QEMU that
 * dies takes its stderr into the error. `getfd` passes a real fd with SCM_RIGHTS.
 *
 * @since 0.1.0
 */
import { spawn } from 'node:child_process'
import { createConnection, type Socket } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { closed, connectionRefused, qmpError, qmpProtocol, timeout, type PlanError } from '../core/errors.ts'
import { encodeCommand, parseLine, type QmpEvent, type QmpMessage } from '../core/qmp/message.ts'
import { exitedError, type Launched } from './launcher.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface QmpOptions {
  /** Wait for greeting, capabilities and each command (default 5000 ms). */
  readonly timeoutMs?: number
  /** Longest line accepted (default 64 KiB, govmm's limit). */
  readonly maxLineBytes?: number
  /** The QEMU process behind the socket: its death fails pending commands with its stderr. */
  readonly process?: Launched
}

/** @since 0.1.0 @category model */
export interface QmpClient {
  readonly version: { readonly major: number; readonly minor: number; readonly micro: number }
  readonly execute: <A = unknown>(execute: string, args?: Readonly<Record<string, unknown>>, timeoutMs?: number) => TE.TaskEither<PlanError, A>
  /** `getfd` with the fd attached as SCM_RIGHTS. */
  readonly getfd: (name: string, fd: FdSource, timeoutMs?: number) => TE.TaskEither<PlanError, void>
  /** A position in the event log; `waitForEvent` looks from there on. */
  readonly mark: () => number
  readonly events: () => ReadonlyArray<QmpEvent>
  readonly waitForEvent: (name: string, match: (e: QmpEvent) => boolean, timeoutMs: number, from?: number) => TE.TaskEither<PlanError, QmpEvent>
  readonly close: () => Promise<void>
}

interface Pending {
  readonly command: string
  readonly resolve: (r: E.Either<PlanError, unknown>) => void
  /** performance.now() after which the command times out */
  readonly deadline: number
  readonly ms: number
}

/** How often deadlines are checked: one interval per client, not a timer per command. */
const sweepEveryMs = 25

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

// Node cannot sendmsg(2); a short-lived python3 inherits the QMP socket (fd 3) and the fd to pass
// (fd 4) and writes the one getfd line with SCM_RIGHTS. The reply comes back to us, matched by id.
// With a tap name as argv[1], the helper opens a new queue of that tap itself (TUNSETIFF with
// IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE), since Node has no ioctl(2) either.
const scmRightsScript =
  'import socket,sys,array,os,fcntl,struct\n' +
  's=socket.socket(fileno=3)\n' +
  'fd=4\n' +
  'if len(sys.argv)>1:\n' +
  '    fd=os.open("/dev/net/tun",os.O_RDWR)\n' +
  '    fcntl.ioctl(fd,0x400454ca,struct.pack("16sH",sys.argv[1].encode(),0x0002|0x1000|0x0100))\n' +
  'line=sys.stdin.buffer.read()\n' +
  's.sendmsg([line],[(socket.SOL_SOCKET,socket.SCM_RIGHTS,array.array("i",[fd]))])\n' +
  's.detach()\n'

/** What `getfd` passes: a host fd of ours, or a new queue of a named tap. @since 0.1.0 @category model */
export type FdSource = number | { readonly tap: string }

/**
 * Connect, read the greeting and negotiate capabilities.
 *
 * @since 0.1.0
 * @category adapters
 */
export const connect = (path: string, o: QmpOptions = {}): TE.TaskEither<PlanError, QmpClient> => () =>
  new Promise((resolveConnect) => {
    const limit = o.maxLineBytes ?? 64 * 1024
    const waitMs = o.timeoutMs ?? 5000
    const pending = new Map<number, Pending>()
    const log: Array<QmpEvent> = []
    const waiters = new Set<() => void>()
    let nextId = 1
    let buf = ''
    let failure: PlanError | undefined
    let greeted: ((m: E.Either<PlanError, QmpMessage>) => void) | undefined
    let writeChain: Promise<unknown> = Promise.resolve()
    let greetTimer: NodeJS.Timeout | undefined
    // commands queue behind an fd being passed, so the fd's getfd and later lines keep their order
    let fdInFlight = 0

    const sock: Socket = createConnection(path)

    const fail = (e: PlanError): void => {
      if (failure) return
      failure = e
      clearTimeout(greetTimer)
      clearInterval(sweeper)
      for (const [id, p] of pending) {
        pending.delete(id)
        p.resolve(E.left(e))
      }
      greeted?.(E.left(e))
      for (const w of waiters) w()
      sock.destroy()
    }
    const deathOr = async (fallback: PlanError): Promise<PlanError> => {
      if (!o.process) return fallback
      const e = o.process.exit() ?? (await Promise.race([o.process.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]))
      return e ? exitedError(o.process, e) : fallback
    }

    const onMessage = (m: QmpMessage, line: string): void => {
      if (m._tag === 'Greeting') return greeted?.(E.right(m))
      if (m._tag === 'Event') {
        log.push(m)
        for (const w of waiters) w()
        return
      }
      const id = typeof m.id === 'number' ? m.id : Number(m.id)
      const p = pending.get(id)
      if (p === undefined) {
        if (timedOut.delete(id)) return // the answer to a command that already timed out
        return fail(qmpProtocol({ line, reason: 'a reply to no command we sent' }))
      }
      pending.delete(id)
      p.resolve(m._tag === 'Return' ? E.right(m.value) : E.left(qmpError({ class: m.class, desc: m.desc, command: p.command })))
    }

    const timedOut = new Set<number>()
    const sweeper = setInterval(() => {
      const now = performance.now()
      for (const [id, p] of pending)
        if (now >= p.deadline) {
          pending.delete(id)
          timedOut.add(id)
          p.resolve(E.left(timeout({ op: `QMP ${p.command}`, ms: p.ms })))
        }
    }, sweepEveryMs)
    sweeper.unref()

    sock.setEncoding('utf8')
    sock.on('data', (chunk: string) => {
      buf += chunk
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '')
        buf = buf.slice(nl + 1)
        if (Buffer.byteLength(line) > limit) return fail(qmpProtocol({ line: line.slice(0, 200), reason: `line longer than ${limit} bytes` }))
        if (line.trim() === '') continue
        const m = parseLine(line)
        if (E.isLeft(m)) return fail(m.left)
        onMessage(m.right, line)
        if (failure) return
      }
      if (Buffer.byteLength(buf) > limit) fail(qmpProtocol({ line: buf.slice(0, 200), reason: `line longer than ${limit} bytes` }))
    })
    let connected = false
    sock.once('connect', () => (connected = true))
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) fail(connectionRefused({ path, code: e.code ?? e.message }))
      else void deathOr(closed({ op: `QMP ${path}: ${e.code ?? e.message}` })).then(fail)
    })
    sock.on('close', () => void deathOr(closed({ op: `QMP ${path}` })).then(fail))

    const send = (command: string, args: Readonly<Record<string, unknown>> | undefined, ms: number, fd?: FdSource): Promise<E.Either<PlanError, unknown>> =>
      new Promise((resolve) => {
        if (failure) return resolve(E.left(failure))
        const id = nextId++
        const line = encodeCommand(args === undefined ? { execute: command } : { execute: command, arguments: args }, id)
        pending.set(id, { command, resolve, deadline: performance.now() + ms, ms })
        if (fd === undefined && !fdInFlight) {
          // the common case: write now, no promise hop
          sock.write(line)
          return
        }
        fdInFlight++
        writeChain = writeChain
          .then(() =>
            fd === undefined
              ? new Promise<void>((r) => sock.write(line, () => r()))
              : new Promise<void>((r) => {
                  // the raw fd number, not the Socket: Node stops reading a stream it hands to a child
                  const sockFd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd
                  if (sockFd === undefined || sockFd < 0) return (fail(qmpProtocol({ line, reason: 'the QMP socket has no fd to pass' })), r())
                  const tap = typeof fd === 'number' ? [] : [fd.tap]
                  const py = spawn('python3', ['-c', scmRightsScript, ...tap], { stdio: ['pipe', 'ignore', 'pipe', sockFd, typeof fd === 'number' ? fd : 'ignore'] })
                  let err = ''
                  py.stderr?.on('data', (d: Buffer) => (err += d.toString()))
                  py.on('error', (e) => (fail(qmpProtocol({ line, reason: `cannot pass fd: ${e.message}` })), r()))
                  py.on('exit', (code) => {
                    if (code !== 0) fail(qmpProtocol({ line, reason: `passing fd ${JSON.stringify(fd)} failed: ${err.trim()}` }))
                    r()
                  })
                  py.stdin?.end(line)
                }),
          )
          .finally(() => fdInFlight--)
      })

    const waitForEvent = (name: string, match: (e: QmpEvent) => boolean, ms: number, from = 0): TE.TaskEither<PlanError, QmpEvent> => () =>
      new Promise((resolve) => {
        const check = (): boolean => {
          const hit = log.slice(from).find((e) => e.event === name && match(e))
          if (hit) resolve(E.right(hit))
          else if (failure) resolve(E.left(failure))
          else return false
          return true
        }
        if (check()) return
        const timer = setTimeout(() => {
          waiters.delete(w)
          resolve(E.left(timeout({ op: `waiting for QMP event ${name}`, ms })))
        }, ms)
        const w = (): void => {
          if (check()) {
            clearTimeout(timer)
            waiters.delete(w)
          }
        }
        waiters.add(w)
      })

    greetTimer = setTimeout(() => fail(timeout({ op: `QMP greeting on ${path}`, ms: waitMs })), waitMs)
    greeted = (m) => {
      greeted = undefined
      clearTimeout(greetTimer)
      if (E.isLeft(m) || m.right._tag !== 'Greeting') return resolveConnect(E.isLeft(m) ? m : E.left(qmpProtocol({ line: '', reason: 'no greeting' })))
      const version = m.right.version
      void send('qmp_capabilities', undefined, waitMs).then((r) =>
        resolveConnect(
          E.map(
            (): QmpClient => ({
              version,
              execute: <A>(c: string, a?: Readonly<Record<string, unknown>>, ms = waitMs) => () => send(c, a, ms) as Promise<E.Either<PlanError, A>>,
              getfd: (name, fd, ms = waitMs) => () => send('getfd', { fdname: name }, ms, fd).then(E.map(() => undefined)),
              mark: () => log.length,
              events: () => log,
              waitForEvent,
              close: () =>
                new Promise<void>((res) => {
                  if (sock.destroyed) return res()
                  sock.once('close', () => res())
                  fail(closed({ op: 'QMP client closed' }))
                }),
            }),
          )(r),
        ),
      )
    }
  })

/**
 * Connect as soon as QEMU listens: retry refused connections every 20 ms (QEMU creates the socket
 * file a moment before it listens; Kata's `waitSandbox` retried too) until `timeoutMs`, failing
 * early with QEMU's stderr if the process exits.
 *
 * @since 0.1.0
 * @category adapters
 */
export const waitForQmp = (path: string, o: QmpOptions = {}): TE.TaskEither<PlanError, QmpClient> => async () => {
  const ms = o.timeoutMs ?? 5000
  const until = Date.now() + ms
  for (;;) {
    const r = await connect(path, o)()
    if (E.isRight(r) || r.left._tag !== 'ConnectionRefused') return r
    const e = o.process?.exit()
    if (o.process && e) return E.left(exitedError(o.process, e))
    if (Date.now() > until) return E.left(timeout({ op: `connecting to QMP ${path} (${r.left.code})`, ms }))
    await new Promise((res) => setTimeout(res, 20))
  }
}
