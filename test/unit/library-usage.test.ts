/**
 * The library snippet in notes/readme-tools.md, as a test: parse a Kata 1.9 ps line, diff it
 * against the planner's own argv, draw its topology, check it against a probed binary.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { expect, it } from 'vitest'
import { withMachineFacts } from '../../src/arch/index.ts'
import { checkArgv, decodeCapabilities } from '../../src/core/caps.ts'
import { diffArgv, formatDiff, isEmpty } from '../../src/core/diff/index.ts'
import { parseLine } from '../../src/core/parse/index.ts'
import { render } from '../../src/core/render.ts'
import { assignPlacements, topology } from '../../src/core/topology.ts'
import { formatTopology } from '../../src/core/topology-text.ts'

const fixture = (...p: ReadonlyArray<string>): string => readFileSync(join(import.meta.dirname, '..', ...p), 'utf8')

it('parse → render in the other dialect → diff → topology → check', () => {
  const psLine = fixture('fixtures', 'argv', 'kata-1.9-ps.txt')
  const caps = JSON.parse(fixture('fixtures', 'caps', 'qemu-system-x86_64.json')) as unknown

  const result = pipe(
    parseLine(psLine), // Either<PlanError, Parsed>
    E.flatMap(({ plan }) => {
      const pinned = assignPlacements(withMachineFacts(plan)) // the slots QEMU would pick
      return pipe(
        render(pinned, 'qemu'), // a QEMU 7.2 command line
        E.map((r) => ({ pinned, argv: [r.binary, ...r.args] })),
      )
    }),
    E.bindW('diff', ({ argv }) => diffArgv(fixture('golden', 'amd64', 'kata-worked-example.qemu.argv').trimEnd().split('\n'), argv)),
    E.bindW('problems', ({ argv }) =>
      pipe(
        decodeCapabilities(caps),
        E.flatMap((c) => checkArgv(argv, c)),
      ),
    ),
  )
  if (E.isLeft(result)) throw new Error(result.left._tag)
  const { pinned, diff, problems } = result.right
  expect(isEmpty(diff)).toBe(true)
  expect(formatDiff(diff)).toBe('')
  expect(problems).toEqual([])
  expect(formatTopology(topology(pinned))).toContain('├── 0x07 network-0 (Net)\n')
})
