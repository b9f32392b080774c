/**
 * The QMP client — the only stateful piece of qemu-plan. Over a transport (`qmp-transport.ts`) it
 * reads the greeting, negotiates `qmp_capabilities`, and then sends commands with an `id` each and
 * matches replies by id (not FIFO as govmm did). Events are kept in a log, so an event that
 * arrives between a command and its reply — or before anyone waits for it — is never lost. Every
 * wait has a timeout; lines over the length limit, garbage and a peer that closes mid-reply end in
 * typed errors; a QEMU that dies takes its stderr into the error.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { closed, qmpError, qmpProtocol, timeout, type PlanError } from '../core/errors.ts'
import type { FdSource } from '../core/qmp/action.ts'
import { encodeCommand, parseLine, type QmpEvent, type QmpMessage } from '../core/qmp/message.ts'
import { exitedError, type Launched } from './launcher.ts'
import { openUnixSocket } from './node/unix-socket.ts'
import type { QmpTransport } from './qmp-transport.ts'

export type { FdSource } from '../core/qmp/action.ts'

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
  readonly execute: <A = unknown>(
    execute: string,
    args?: Readonly<Record<string, unknown>>,
    timeoutMs?: number,
  ) => TE.TaskEither<PlanError, A>
  /** `getfd` with the fd attached as SCM_RIGHTS. */
  readonly getfd: (name: string, fd: FdSource, timeoutMs?: number) => TE.TaskEither<PlanError, void>
  /** Whether fds can be passed at all: asked before a hot-plug that passes fds sends anything. */
  readonly fdPassing: TE.TaskEither<PlanError, void>
  /** A position in the event log; `waitForEvent` looks from there on. */
  readonly mark: () => number
  readonly events: () => ReadonlyArray<QmpEvent>
  readonly waitForEvent: (
    name: string,
    match: (e: QmpEvent) => boolean,
    timeoutMs: number,
    from?: number,
  ) => TE.TaskEither<PlanError, QmpEvent>
  readonly close: () => Promise<void>
}

// -------------------------------------------------------------------------------------
// the parts
// -------------------------------------------------------------------------------------

/** Splits text into lines; a line (or an unterminated rest) over `limit` bytes is an error. */
const lineReader = (limit: number, onLine: (line: string) => boolean, onTooLong: (start: string) => void) => {
  let buf = ''
  return (chunk: string): void => {
    buf += chunk
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '')
      buf = buf.slice(nl + 1)
      if (Buffer.byteLength(line) > limit) return onTooLong(line.slice(0, 200))
      if (line.trim() !== '' && !onLine(line)) return
    }
    if (Buffer.byteLength(buf) > limit) onTooLong(buf.slice(0, 200))
  }
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

/** Commands waiting for their reply, by id; a sweep times out the overdue ones. */
const pendingTable = () => {
  const pending = new Map<number, Pending>()
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
  return {
    add: (id: number, p: Pending): void => void pending.set(id, p),
    /** The command a reply answers: pending, `late` (it timed out already), or unknown. */
    take: (id: number): Pending | 'late' | undefined => {
      const p = pending.get(id)
      if (p !== undefined) {
        pending.delete(id)
        return p
      }
      return timedOut.delete(id) ? 'late' : undefined
    },
    failAll: (e: PlanError): void => {
      clearInterval(sweeper)
      for (const [id, p] of pending) {
        pending.delete(id)
        p.resolve(E.left(e))
      }
    },
  }
}

/** Every event received, and the waits on it. */
const eventLog = () => {
  const log: Array<QmpEvent> = []
  const waiters = new Set<() => void>()
  let failure: PlanError | undefined
  const wake = (): void => {
    for (const w of waiters) w()
  }
  const waitFor =
    (name: string, match: (e: QmpEvent) => boolean, ms: number, from = 0): TE.TaskEither<PlanError, QmpEvent> =>
    () =>
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
  return {
    push: (e: QmpEvent): void => {
      log.push(e)
      wake()
    },
    fail: (e: PlanError): void => {
      failure = e
      wake()
    },
    mark: (): number => log.length,
    all: (): ReadonlyArray<QmpEvent> => log,
    waitFor,
  }
}

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/** The `QemuExited` error when the process behind the socket died (within 200 ms), else `fallback`. */
const deathOr = async (o: QmpOptions, fallback: PlanError): Promise<PlanError> => {
  if (!o.process) return fallback
  const e = o.process.exit() ?? (await Promise.race([o.process.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]))
  return e ? exitedError(o.process, e) : fallback
}

/**
 * A QMP client over a transport: greeting, capabilities, then commands and events.
 *
 * @since 0.3.0
 * @category adapters
 */
export const overTransport = (t: QmpTransport, name: string, o: QmpOptions = {}): Promise<E.Either<PlanError, QmpClient>> =>
  new Promise((resolveConnect) => {
    const waitMs = o.timeoutMs ?? 5000
    const pending = pendingTable()
    const events = eventLog()
    let nextId = 1
    let failure: PlanError | undefined
    let greeted: ((m: E.Either<PlanError, QmpMessage>) => void) | undefined

    const fail = (e: PlanError): void => {
      if (failure) return
      failure = e
      clearTimeout(greetTimer)
      pending.failAll(e)
      greeted?.(E.left(e))
      events.fail(e)
      void t.close()
    }

    const onMessage = (m: QmpMessage, line: string): void => {
      if (m._tag === 'Greeting') return greeted?.(E.right(m))
      if (m._tag === 'Event') return events.push(m)
      const p = pending.take(typeof m.id === 'number' ? m.id : Number(m.id))
      if (p === 'late') return // the answer to a command that already timed out
      if (p === undefined) return fail(qmpProtocol({ line, reason: 'a reply to no command we sent' }))
      p.resolve(m._tag === 'Return' ? E.right(m.value) : E.left(qmpError({ class: m.class, desc: m.desc, command: p.command })))
    }

    const limit = o.maxLineBytes ?? 64 * 1024
    t.onData(
      lineReader(
        limit,
        (line) => {
          const m = parseLine(line)
          if (E.isLeft(m)) fail(m.left)
          else onMessage(m.right, line)
          return !failure
        },
        (start) => fail(qmpProtocol({ line: start, reason: `line longer than ${limit} bytes` })),
      ),
    )
    t.onEnd((why) => void deathOr(o, closed({ op: why === 'closed' ? `QMP ${name}` : `QMP ${name}: ${why}` })).then(fail))

    const send = (
      command: string,
      args: Readonly<Record<string, unknown>> | undefined,
      ms: number,
      fd?: FdSource,
    ): Promise<E.Either<PlanError, unknown>> =>
      new Promise((resolve) => {
        if (failure) return resolve(E.left(failure))
        const id = nextId++
        const line = encodeCommand(args === undefined ? { execute: command } : { execute: command, arguments: args }, id)
        pending.add(id, { command, resolve, deadline: performance.now() + ms, ms })
        if (fd === undefined) t.send(line)
        else
          void t.sendWithFd(line, fd).then((r) => {
            if (E.isLeft(r)) fail(r.left)
          })
      })

    const greetTimer = setTimeout(() => fail(timeout({ op: `QMP greeting on ${name}`, ms: waitMs })), waitMs)
    greeted = (m) => {
      greeted = undefined
      clearTimeout(greetTimer)
      if (E.isLeft(m) || m.right._tag !== 'Greeting')
        return resolveConnect(E.isLeft(m) ? m : E.left(qmpProtocol({ line: '', reason: 'no greeting' })))
      const version = m.right.version
      void send('qmp_capabilities', undefined, waitMs).then((r) =>
        resolveConnect(
          E.map((): QmpClient => ({
            version,
            execute:
              <A>(c: string, a?: Readonly<Record<string, unknown>>, ms = waitMs) =>
              () =>
                send(c, a, ms) as Promise<E.Either<PlanError, A>>,
            getfd:
              (fdName, fd, ms = waitMs) =>
              () =>
                send('getfd', { fdname: fdName }, ms, fd).then(E.map(() => undefined)),
            fdPassing: () => t.fdPassing(),
            mark: events.mark,
            events: events.all,
            waitForEvent: events.waitFor,
            close: async () => {
              fail(closed({ op: 'QMP client closed' }))
              await t.close()
            },
          }))(r),
        ),
      )
    }
  })

/**
 * Connect to QEMU's QMP unix socket, read the greeting and negotiate capabilities.
 *
 * @since 0.1.0
 * @category adapters
 */
export const connect =
  (path: string, o: QmpOptions = {}): TE.TaskEither<PlanError, QmpClient> =>
  async () => {
    const t = await openUnixSocket(path)
    return E.isLeft(t) ? t : overTransport(t.right, path, o)
  }

/**
 * Connect as soon as QEMU listens: retry refused connections every 20 ms (QEMU creates the socket
 * file a moment before it listens; Kata's `waitSandbox` retried too) until `timeoutMs`, failing
 * early with QEMU's stderr if the process exits.
 *
 * @since 0.1.0
 * @category adapters
 */
export const waitForQmp =
  (path: string, o: QmpOptions = {}): TE.TaskEither<PlanError, QmpClient> =>
  async () => {
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
