/**
 * Kernel command-line parameters: Kata's `Param{Key, Value}` and `SerializeParams` (`virtcontainers/hypervisor.go`).
 * The command line passed to `-append` is the serialized list joined by single spaces; nothing is
 * de-duplicated, so the last occurrence (the user's) wins in the guest.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category model */
export interface Param {
  readonly key: string
  readonly value: string
}

/** @since 0.1.0 @category constructors */
export const param = (key: string, value = ''): Param => ({ key, value })

/**
 * Parse a space-separated parameter string (`a=b c`) the way Kata's `DeserializeParams` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseParams = (s: string): ReadonlyArray<Param> =>
  s
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => {
      const eq = w.indexOf('=')
      return eq < 0 ? param(w) : param(w.slice(0, eq), w.slice(eq + 1))
    })

/**
 * `SerializeParams(params, "=")`: skip empty pairs, key only, value only, or `key=value`.
 *
 * @example
 * import { serializeParams, param } from 'qemu-plan'
 * assert.deepStrictEqual(serializeParams([param('quiet'), param('panic', '1'), param('', '')]), ['quiet', 'panic=1'])
 * @since 0.1.0
 * @category render
 */
export const serializeParams = (ps: ReadonlyArray<Param>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const p of ps) {
    if (p.key === '' && p.value === '') continue
    out.push(p.key === '' ? p.value : p.value === '' ? p.key : `${p.key}=${p.value}`)
  }
  return out
}

/** The `-append` value: `serializeParams(ps).join(' ')`, concatenated as it goes. @since 0.1.0 @category render */
export const kernelCmdline = (ps: ReadonlyArray<Param>): string => {
  let out: string | undefined
  for (const p of ps) {
    if (p.key === '' && p.value === '') continue
    const w = p.key === '' ? p.value : p.value === '' ? p.key : `${p.key}=${p.value}`
    out = out === undefined ? w : `${out} ${w}`
  }
  return out ?? ''
}
