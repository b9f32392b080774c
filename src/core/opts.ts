/**
 * The one QEMU option-string helper. QEMU's option syntax (`driver,key=value,key=value`) splits on
 * single commas and reads `,,` as a literal comma, so every value is escaped here — the fix for
 * govmm's missing escaping (govmm `qemu/qemu.go`: every `QemuParams` emits values verbatim). `parseOpts` is the exact inverse.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A value: `undefined` drops the pair, booleans become `on`/`off`. @since 0.1.0 @category model */
export type OptValue = string | number | boolean | undefined

/**
 * One element of an option string: a `[key, value]` pair, or a bare string (the implied first
 * element such as a driver name, or a bare flag in govmm's dialect). Bare strings are escaped too.
 *
 * @since 0.1.0
 * @category model
 */
export type Opt = readonly [string, OptValue] | string

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

/** Escape a value for QEMU's option parser (`,` → `,,`). @since 0.1.0 @category render */
export const escape = (v: string): string => (v.includes(',') ? v.replace(/,/g, ',,') : v)

/** A value's text in an option string: escaped, booleans `on`/`off`. @since 0.3.0 @category render */
export const valueText = (v: string | number | boolean): string =>
  typeof v === 'string' ? escape(v) : typeof v === 'boolean' ? (v ? 'on' : 'off') : escape(String(v))

/**
 * Render an option string.
 *
 * @example
 * import { opts } from 'qemu-plan'
 * assert.strictEqual(opts(['virtio-blk-pci', ['drive', 'a,b'], ['scsi', false], ['addr', undefined]]),
 *   'virtio-blk-pci,drive=a,,b,scsi=off')
 * @since 0.1.0
 * @category render
 */
export const opts = (items: ReadonlyArray<Opt>): string => {
  // built by concatenation (one pass, no pieces array): this is the renderer's innermost loop
  let out: string | undefined
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Opt
    if (typeof item === 'string') out = appendBare(out, item)
    else if (item[1] !== undefined) out = appendPair(out, item[0], item[1])
  }
  return out ?? ''
}

/**
 * An option string with one more bare element (`undefined`: nothing yet; an empty element is
 * kept), for callers that produce the elements one at a time.
 *
 * @since 0.3.0
 * @category render
 */
export const appendBare = (out: string | undefined, s: string): string => (out === undefined ? escape(s) : `${out},${escape(s)}`)

/** An option string with one more `key=value` (see `appendBare`). @since 0.3.0 @category render */
export const appendPair = (out: string | undefined, key: string, v: string | number | boolean): string => {
  const piece = `${key}=${valueText(v)}`
  return out === undefined ? piece : `${out},${piece}`
}

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Split an option string as QEMU does: single commas separate, `,,` is a literal comma. Each
 * element is `[key, value]`, or `[text, undefined]` for an element without `=`.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseOpts = (s: string): ReadonlyArray<readonly [string, string | undefined]> => {
  const out: Array<readonly [string, string | undefined]> = []
  forEachOpt(s, (key, value) => out.push([key, value]))
  return out
}

/**
 * `parseOpts` without the list: `f` gets each element's key and value (`undefined` without `=`)
 * in order, for readers that build their own representation.
 *
 * @since 0.3.0
 * @category utils
 */
export const forEachOpt = (s: string, f: (key: string, value: string | undefined, index: number) => void): void => {
  let index = 0
  // from comma to comma (slices, not a character at a time). An element without `,,` is cut
  // into key and value straight from `s`; `pending` holds an element's text up to a `,,`.
  // `eq` is the next `=` at or after `start`, found again only once passed, so a long list of
  // elements without `=` is read in one pass, not one scan to the end per element.
  let pending = ''
  let start = 0
  let eq = -2
  for (;;) {
    const comma = s.indexOf(',', start)
    if (comma >= 0 && s.charCodeAt(comma + 1) === 44) {
      pending += s.slice(start, comma + 1)
      start = comma + 2
      continue
    }
    const end = comma < 0 ? s.length : comma
    if (pending !== '') {
      const p = pending + s.slice(start, end)
      pending = ''
      const at = p.indexOf('=')
      if (at < 0) f(p, undefined, index++)
      else f(p.slice(0, at), p.slice(at + 1), index++)
    } else {
      if (eq !== -1 && eq < start) eq = s.indexOf('=', start)
      if (eq < 0 || eq >= end) f(s.slice(start, end), undefined, index++)
      else f(s.slice(start, eq), s.slice(eq + 1, end), index++)
    }
    if (comma < 0) return
    start = comma + 1
  }
}
