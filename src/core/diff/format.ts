/**
 * The human form of a diff: one section per part of the VM, `+` added, `-` removed, `~` changed,
 * `>` moved; nothing at all when the command lines are equivalent.
 *
 * @since 0.1.0
 */
import type { Change, Diff } from './diff.ts'
import type { DeviceView } from './view.ts'

const show = (v: string | undefined): string => (v === undefined ? '(absent)' : v === '' ? "''" : v)

const changeLines = (cs: ReadonlyArray<Change>, indent: string): ReadonlyArray<string> =>
  cs.map((c) =>
    c.from === undefined
      ? `${indent}+ ${c.key}=${c.to}`
      : c.to === undefined
        ? `${indent}- ${c.key}=${c.from}`
        : `${indent}~ ${c.key}: ${show(c.from)} → ${show(c.to)}`,
  )

const section = (title: string, lines: ReadonlyArray<string>): ReadonlyArray<string> => (lines.length === 0 ? [] : [`${title}:`, ...lines])

const dev = (d: DeviceView): string =>
  `${d.id} (${d.kind})${d.placement === undefined ? '' : ` at ${d.placement}`}${
    Object.keys(d.props).length === 0
      ? ''
      : ` ${Object.entries(d.props)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
  }`

/**
 * Format a diff for people. Empty string when there is no difference.
 *
 * @since 0.1.0
 * @category render
 */
export const formatDiff = (d: Diff): string => {
  const kp = d.kernelParams
  const lines = [
    ...(d.dialects[0] !== d.dialects[1]
      ? [`note: comparing a ${d.dialects[0]} command line with a ${d.dialects[1]} one: PCI placement is not compared`]
      : []),
    ...section('machine', changeLines(d.machine, '  ')),
    ...section('cpu', changeLines(d.cpu, '  ')),
    ...section('memory', changeLines(d.memory, '  ')),
    ...section('kernel', [
      ...changeLines(d.kernel, '  '),
      ...kp.added.map((p) => `  + param ${p}`),
      ...kp.removed.map((p) => `  - param ${p}`),
      ...(kp.reordered ? ['  ~ parameters reordered (the guest honours the last occurrence)'] : []),
    ]),
    ...section('devices', [
      ...d.devices.added.map((x) => `  + ${dev(x)}`),
      ...d.devices.removed.map((x) => `  - ${dev(x)}`),
      ...d.devices.changed.flatMap((c) => [
        `  ~ ${c.id} (${c.kind})${c.renamedFrom === undefined ? '' : ` (was ${c.renamedFrom})`}`,
        ...(c.moved === undefined ? [] : [`      > moved: ${c.moved.from ?? '(QEMU-assigned)'} → ${c.moved.to ?? '(QEMU-assigned)'}`]),
        ...changeLines(c.changes, '      '),
      ]),
      ...(d.devices.reordered === undefined
        ? []
        : [`  ~ order of QEMU-placed devices: ${d.devices.reordered.from.join(', ')} → ${d.devices.reordered.to.join(', ')}`]),
    ]),
    ...section('other', changeLines(d.other, '  ')),
  ]
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}
