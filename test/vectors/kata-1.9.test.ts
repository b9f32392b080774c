/**
 * Kata 1.9's own command lines (test/fixtures/kata-1.9-vectors, produced by running Kata's Go code)
 * against our `govmm` dialect, through the public input path: each spec becomes a
 * `configuration.toml` + `sandbox.json`, loaded by `loadPlan` over an in-memory file system with
 * the vectors' counter random stream, planned and rendered. The argv must equal Kata's byte for
 * byte, except that we double commas inside values. Nothing here is regenerated: `UPDATE_GOLDEN`
 * does not touch this file or its fixtures.
 *
 * Kata's argv is below katautils, so the expected argv gets what katautils adds on the way: with an
 * image, the three systemd parameters right after `agent.use_vsock=…` (before the user's own).
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { toMessage, type PlanError } from '../../src/core/errors.ts'
import { render } from '../../src/core/render.ts'
import { loadPlan } from '../../src/effects/load.ts'
import {
  counterIds,
  memoryFs,
  readResult,
  readSpec,
  specKeys,
  throughKatautils,
  toInputs,
  type Result,
  type Spec,
} from '../support/kata-vectors.ts'

/** Specs a user cannot write; the reason must match what the translator says. */
const leftOut: Readonly<Record<string, RegExp>> = {
  '06': /"none" interworking model/,
  '08': /strict ids/,
  '09': /bridgeRemove, a direct call of the bridge allocator/,
  '10': /bridgeAdd, a direct call of the bridge allocator/,
  '12': /VFIO device with an empty BDF/,
  '14': /knobs\.realtime/,
  '17': /memSlots 0/,
  '18': /entropySource ""/,
  '25': /bridge placement Kata makes on hot-plug/,
  '27': /nested on arm64/,
  '28': /bridgeAdd, a direct call of the bridge allocator/,
  '29': /bridge placement Kata makes on hot-plug/,
  '31': /knobs\.realtime/,
  '34': /nested on ppc64le/,
  '35': /strict ids/,
  '37': /bridgeRemove, a direct call of the bridge allocator/,
  '40': /rng device added by calling arch\.appendRNGDevice directly/,
}

/**
 * Specs we can express but do not yet match, with the cause (the lead's list to empty). Each runs
 * as an expected failure, so a fix that makes one match turns the test red until it is removed.
 */
const knownFailures: Readonly<Record<string, string>> = {}

/** The typed error each error spec must give. */
const errors: Readonly<Record<string, (e: PlanError) => void>> = {
  '19': (e) => expect(e).toEqual({ _tag: 'ImageNotFound', path: '/usr/share/kata-containers/missing.img' }),
  '20': (e) => expect(e).toMatchObject({ _tag: 'UnknownMachine', arch: 'amd64', machine: 'microvm' }),
  '21': (e) =>
    expect(toMessage(e)).toBe('InvalidConfig: hypervisor.qemu.default_maxvcpus: MaxCPUs 4 must be equal to or greater than CPUs 8'),
  '22': (e) => {
    expect(e).toMatchObject({ _tag: 'PathTooLong', length: 120, max: 107 })
    expect(toMessage(e)).toContain('path too long (got 120, max 107): /run/vc/vm/xxxx')
  },
  '23': (e) => expect(e).toMatchObject({ _tag: 'InvalidInput', problems: [{ path: 'devices.1.endpoint', actual: '"tap"' }] }),
  '39': (e) => expect(toMessage(e)).toBe('Unsupported: s390x cannot do vhost-user devices (No vhost-user devices supported on s390x)'),
}

const plan = async (s: Spec, r: Result) => {
  const t = toInputs(s, r)
  if ('reason' in t) throw new Error(`not expressible: ${t.reason}`)
  const ids = counterIds(s.randomSeed)
  const loaded = await loadPlan(
    { configPath: t.ok.configPath, sandboxPath: t.ok.sandboxPath },
    { ...memoryFs(t.ok.files, t.ok.sizes), ...ids },
  )()
  return { rendered: E.flatMap((l: { plan: Parameters<typeof render>[0] }) => render(l.plan, 'govmm'))(loaded), draws: ids.draws() }
}

/** Our argv with each doubled comma read back as one, after checking that commas are the only difference. */
const compare = (ours: ReadonlyArray<string>, theirs: ReadonlyArray<string>): void => {
  expect(ours.length, 'token count').toBe(theirs.length)
  ours.forEach((tok, i) => {
    if (tok !== theirs[i]) expect(`[${i}] ${tok.replaceAll(',,', ',')}`).toBe(`[${i}] ${theirs[i]}`)
  })
}

describe('Kata 1.9 vectors (govmm dialect, through configuration.toml and sandbox.json)', () => {
  it('covers every spec: expressible, left out with a reason, or a known failure', () => {
    expect(specKeys).toHaveLength(42)
    for (const k of Object.keys(knownFailures)) expect(leftOut[k], k).toBeUndefined()
  })

  for (const key of specKeys) {
    const s = readSpec(key)
    const r = readResult(key)
    const t = toInputs(s, r)
    const title = `${key} ${s.name}`
    if ('reason' in t) {
      it(`${title}: left out (${t.reason})`, () => {
        expect(leftOut[key], `spec ${key} is not expressible but not listed: ${t.reason}`).toBeDefined()
        expect(t.reason).toMatch(leftOut[key] as RegExp)
      })
      continue
    }
    const run = knownFailures[key] !== undefined ? it.fails : it
    run(`${title}${knownFailures[key] ? ` (known failure: ${knownFailures[key]})` : ''}`, async () => {
      expect(leftOut[key], `spec ${key} is expressible now: take it off the left-out list`).toBeUndefined()
      const { rendered, draws } = await plan(s, r)
      if (r.argv === null) {
        expect(E.isLeft(rendered), `Kata failed with "${r.error}"; we planned`).toBe(true)
        if (E.isLeft(rendered))
          (errors[key] ?? ((e) => expect.unreachable(`no expected error for spec ${key}: ${toMessage(e)}`)))(rendered.left)
        return
      }
      if (E.isLeft(rendered)) expect.unreachable(toMessage(rendered.left))
      else {
        compare([rendered.right.binary, ...rendered.right.args], throughKatautils(s, r.argv))
        expect(draws, 'random bytes drawn, in order').toEqual(r.randomDraws)
      }
    })
  }
})
