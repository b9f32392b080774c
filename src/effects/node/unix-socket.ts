/**
 * The Node adapter of the QMP transport: a unix socket to QEMU's monitor. Node cannot `sendmsg(2)`,
 * so a line with an fd attached is written by a short-lived python3 that inherits the socket's raw
 * fd (fd 3) and the fd to pass (fd 4), and sends the line with SCM_RIGHTS; given a tap name it
 * opens a new queue of that tap itself (TUNSETIFF, IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE), since Node
 * has no `ioctl(2)` either. Node's private socket handle is read here and nowhere else.
 *
 * @since 0.3.0
 */
import { spawn, spawnSync } from 'node:child_process'
import { createConnection, type Socket } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import {
  connectionRefused,
  missingProgram,
  qmpProtocol,
  type ConnectionRefused,
  type MissingProgram,
  type PlanError,
} from '../../core/errors.ts'
import type { FdSource } from '../../core/qmp/action.ts'
import type { QmpTransport } from '../qmp-transport.ts'

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

/** The socket's file descriptor, from Node's private handle (the only place it is read). */
const rawFd = (sock: Socket): number | undefined => {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd
  return fd === undefined || fd < 0 ? undefined : fd
}

let python: E.Either<MissingProgram, void> | undefined

/** Whether python3 runs here (asked once per process). @since 0.3.0 @category adapters */
export const python3 = (): E.Either<MissingProgram, void> => {
  if (python === undefined) {
    const r = spawnSync('python3', ['-c', 'import socket,array,fcntl,struct'], { stdio: 'ignore', timeout: 10_000 })
    python =
      r.error === undefined && r.status === 0
        ? E.right(undefined)
        : E.left(missingProgram({ program: 'python3', purpose: 'pass fds to QEMU (getfd with SCM_RIGHTS: tap queues, vhost fds)' }))
  }
  return python
}

const passFd = (sock: Socket, line: string, fd: FdSource): Promise<E.Either<PlanError, void>> =>
  new Promise((resolve) => {
    const sockFd = rawFd(sock)
    if (sockFd === undefined) return resolve(E.left(qmpProtocol({ line, reason: 'the QMP socket has no fd to pass' })))
    const tap = typeof fd === 'number' ? [] : [fd.tap]
    const py = spawn('python3', ['-c', scmRightsScript, ...tap], {
      stdio: ['pipe', 'ignore', 'pipe', sockFd, typeof fd === 'number' ? fd : 'ignore'],
    })
    let err = ''
    py.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    py.on('error', (e) => resolve(E.left(qmpProtocol({ line, reason: `cannot pass fd: ${e.message}` }))))
    py.on('exit', (code) =>
      resolve(
        code === 0 ? E.right(undefined) : E.left(qmpProtocol({ line, reason: `passing fd ${JSON.stringify(fd)} failed: ${err.trim()}` })),
      ),
    )
    py.stdin?.end(line)
  })

/**
 * Connect to a unix socket. Left: `ConnectionRefused` (nobody listens yet, or no such socket).
 *
 * @since 0.3.0
 * @category adapters
 */
export const openUnixSocket = (path: string): Promise<E.Either<ConnectionRefused, QmpTransport>> =>
  new Promise((resolve) => {
    const sock: Socket = createConnection(path)
    sock.setEncoding('utf8')
    let ended: ((why: string) => void) | undefined
    let endedWhy: string | undefined
    const end = (why: string): void => {
      if (endedWhy !== undefined) return
      endedWhy = why
      ended?.(why)
    }
    // lines queue behind an fd being passed, so a getfd and the lines after it keep their order
    let chain: Promise<unknown> = Promise.resolve()
    let inFlight = 0
    const queued = <A>(f: () => Promise<A>): Promise<A> => {
      inFlight++
      const p = chain.then(f)
      chain = p.finally(() => inFlight--)
      return p
    }
    const transport: QmpTransport = {
      send: (line) => {
        if (inFlight === 0) sock.write(line)
        else void queued(() => new Promise<void>((r) => sock.write(line, () => r())))
      },
      sendWithFd: (line, fd) => queued(() => passFd(sock, line, fd)),
      fdPassing: async () => python3(),
      onData: (f) => sock.on('data', f),
      onEnd: (f) => {
        ended = f
        if (endedWhy !== undefined) f(endedWhy)
      },
      close: () =>
        new Promise<void>((res) => {
          if (sock.destroyed) return res()
          sock.once('close', () => res())
          sock.destroy()
        }),
    }
    let connected = false
    sock.once('connect', () => {
      connected = true
      resolve(E.right(transport))
    })
    sock.on('error', (e: NodeJS.ErrnoException) =>
      connected ? end(e.code ?? e.message) : resolve(E.left(connectionRefused({ path, code: e.code ?? e.message }))),
    )
    sock.on('close', () => {
      if (connected) end('closed')
    })
  })
