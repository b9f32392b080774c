/**
 * argv → options, and option strings → properties, following QEMU's own syntax: `-flag value`
 * pairs (a leading `--` is the same flag), option strings split on single commas with `,,` as a
 * literal comma, an implied first element (`virtio-net-pci,…`) or its `driver=`/`type=` form
 * anywhere, and legacy bare booleans (`server` = `server=on`, `nowait` = `wait=off`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseError, type ParseError } from '../errors.ts'
import { forEachOpt } from '../opts.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One `-flag [value]` occurrence; `position` is the argv index of the flag. @since 0.1.0 @category model */
export interface Option {
  readonly flag: string
  readonly value: string
  readonly position: number
}

/** One property of an option string. `bare` marks `key` written without `=`. @since 0.1.0 @category model */
export interface Prop {
  readonly key: string
  readonly value: string
  readonly bare: boolean
}

/** A parsed option string: the implied first element (driver, backend or type) and the rest. @since 0.1.0 @category model */
export interface Props {
  readonly head: string | undefined
  readonly props: ReadonlyArray<Prop>
}

// -------------------------------------------------------------------------------------
// flags
// -------------------------------------------------------------------------------------

const flags: Readonly<Record<string, 0 | 1>> = {
  '-no-user-config': 0,
  '-nodefaults': 0,
  '-nographic': 0,
  '-daemonize': 0,
  '-S': 0,
  '-name': 1,
  '-uuid': 1,
  '-machine': 1,
  '-M': 1,
  '-cpu': 1,
  '-qmp': 1,
  '-m': 1,
  '-device': 1,
  '-drive': 1,
  '-netdev': 1,
  '-chardev': 1,
  '-fsdev': 1,
  '-object': 1,
  '-rtc': 1,
  '-global': 1,
  '-vga': 1,
  '-numa': 1,
  '-realtime': 1,
  '-overcommit': 1,
  '-kernel': 1,
  '-initrd': 1,
  '-append': 1,
  '-bios': 1,
  '-incoming': 1,
  '-pidfile': 1,
  '-D': 1,
  '-smp': 1,
}

/** The canonical spelling of a flag (`--machine` → `-machine`, `-M` → `-machine`). @since 0.1.0 @category utils */
export const canonicalFlag = (w: string): string => {
  const f = w.startsWith('--') ? w.slice(1) : w
  return f === '-M' ? '-machine' : f
}

/** How many values a flag this parser knows takes; `undefined` if it does not know it. @since 0.1.0 @category utils */
export const arity = (w: string): 0 | 1 | undefined => (w.startsWith('-') ? flags[canonicalFlag(w)] : undefined)

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Split argv (without the binary) into options. `offset` is added to every position so errors
 * name the index in the caller's argv.
 *
 * @since 0.1.0
 * @category utils
 */
export const toOptions = (argv: ReadonlyArray<string>, offset = 0): E.Either<ParseError, ReadonlyArray<Option>> => {
  const out: Array<Option> = []
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i] as string
    const position = i + offset
    const n = arity(w)
    if (n === undefined)
      return E.left(
        parseError({
          position,
          token: w,
          reason: w.startsWith('-') ? `unknown option ${w} (parse does not understand it)` : 'expected an option (a word starting with -)',
        }),
      )
    if (n === 0) {
      out.push({ flag: canonicalFlag(w), value: '', position })
      continue
    }
    const v = argv[i + 1]
    if (v === undefined) return E.left(parseError({ position, token: w, reason: `${w} needs a value` }))
    out.push({ flag: canonicalFlag(w), value: v, position })
    i++
  }
  return E.right(out)
}

/**
 * Parse an option string. `implied` is the key QEMU gives the first element (`driver` for
 * `-device`, `type` for `-netdev`, `backend` for `-chardev` …); a bare first element is the head,
 * and `implied=x` anywhere is the head too. Later bare elements are booleans (`nofoo` = `foo=off`).
 *
 * @example
 * import { parseProps } from 'qemu-plan'
 * const p = parseProps('driver=virtio-net-pci,mac=02:00:00:00:00:01,romfile=', 'driver')
 * assert.strictEqual(p.head, 'virtio-net-pci')
 * assert.deepStrictEqual(p.props.map((x) => x.key), ['mac', 'romfile'])
 * @since 0.1.0
 * @category utils
 */
export const parseProps = (s: string, implied: string | undefined): Props => {
  let head: string | undefined
  const props: Array<Prop> = []
  forEachOpt(s, (k, v, i) => {
    if (v === undefined && i === 0 && implied !== undefined) head = k
    else if (v !== undefined && implied !== undefined && k === implied && head === undefined) head = v
    else if (v === undefined)
      props.push(k.startsWith('no') && k.length > 2 ? { key: k.slice(2), value: 'off', bare: true } : { key: k, value: 'on', bare: true })
    else props.push({ key: k, value: v, bare: false })
  })
  return { head, props }
}
