/**
 * QMP commands and hot-plug steps as data. A hot-plug plan is a list of these; the effects layer
 * runs them in order and, when one fails, sends the undo commands of the steps already done, in
 * reverse.
 *
 * @since 0.3.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A command on the wire. @since 0.1.0 @category model */
export interface QmpCommand {
  readonly execute: string
  readonly arguments?: Readonly<Record<string, unknown>>
}

/** A host fd to hand QEMU: one of ours, or a new queue of a named tap (opened for the purpose). @since 0.3.0 @category model */
export type FdSource = number | { readonly tap: string }

/** One step the effects layer performs. @since 0.1.0 @category model */
export type Action =
  /**
   * Send a command; if a later step fails, send `undo` (in order). `consumes` names fds passed
   * earlier that this command takes over: once it succeeds, their own undo (`closefd`) no longer
   * applies (QEMU closes them with the backend).
   */
  | {
      readonly _tag: 'Execute'
      readonly command: QmpCommand
      readonly undo: ReadonlyArray<QmpCommand>
      readonly consumes: ReadonlyArray<string>
    }
  /** Pass an fd to QEMU under `name` (`getfd`, SCM_RIGHTS). */
  | { readonly _tag: 'SendFd'; readonly name: string; readonly source: FdSource; readonly undo: ReadonlyArray<QmpCommand> }
  /** Wait for an event whose data has these fields, for at most `timeoutMs`. */
  | { readonly _tag: 'AwaitEvent'; readonly event: string; readonly data: Readonly<Record<string, unknown>>; readonly timeoutMs: number }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** @since 0.3.0 @category constructors */
export const command = (execute: string, args?: Readonly<Record<string, unknown>>): QmpCommand =>
  args === undefined ? { execute } : { execute, arguments: args }

/** @since 0.3.0 @category constructors */
export const execute = (
  execute: string,
  args: Readonly<Record<string, unknown>>,
  undo: ReadonlyArray<QmpCommand> = [],
  consumes: ReadonlyArray<string> = [],
): Action => ({ _tag: 'Execute', command: command(execute, args), undo, consumes })

/** `getfd` of `source` as `name`, undone by `closefd`. @since 0.3.0 @category constructors */
export const sendFd = (name: string, source: FdSource): Action => ({
  _tag: 'SendFd',
  name,
  source,
  undo: [command('closefd', { fdname: name })],
})

/** `device_del` and the wait for the guest's `DEVICE_DELETED`. @since 0.3.0 @category constructors */
export const deviceDel = (id: string, timeoutMs: number): ReadonlyArray<Action> => [
  execute('device_del', { id }),
  { _tag: 'AwaitEvent', event: 'DEVICE_DELETED', data: { device: id }, timeoutMs },
]
