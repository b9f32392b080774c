/**
 * The port the QMP client talks through: a line-oriented connection to QEMU's monitor that can
 * also pass an fd alongside a line (`getfd` with SCM_RIGHTS). The client (`qmp-client.ts`) is
 * written against this port only; the Node adapter is `node/unix-socket.ts`, and a test can hand
 * the client any other implementation.
 *
 * @since 0.3.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { MissingProgram, PlanError } from '../core/errors.ts'
import type { FdSource } from '../core/qmp/action.ts'

/** @since 0.3.0 @category ports */
export interface QmpTransport {
  /** Send a line; lines go out in the order they are sent, after any fd still in flight. */
  readonly send: (line: string) => void
  /** Send a line with an fd attached; later lines wait for it. Left when the fd could not be passed. */
  readonly sendWithFd: (line: string, fd: FdSource) => Promise<E.Either<PlanError, void>>
  /** Whether fds can be passed at all here (the Node adapter needs python3): asked before a hot-plug that passes fds. */
  readonly fdPassing: () => Promise<E.Either<MissingProgram, void>>
  /** Text as it arrives. */
  readonly onData: (f: (chunk: string) => void) => void
  /** The end of the connection (the peer closed it, or it failed), once, with what happened. */
  readonly onEnd: (f: (why: string) => void) => void
  /** Close it; resolves once it is closed. */
  readonly close: () => Promise<void>
}
