/**
 * The one option-string builder doubles commas in every value: a parser of QEMU's option syntax
 * (`parseOpts`, which reads `,,` as a literal comma and splits on single commas) recovers every
 * key and value from the rendered string — for `opts` itself and for every user-supplied string
 * that reaches a device's option string (paths, names, tags, interface names).
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Device, Placement } from '../../src/core/devices/index.ts'
import type { Dialect } from '../../src/core/devices/profile.ts'
import { opts, parseOpts, type Opt } from '../../src/core/opts.ts'
import { render, renderDevice } from '../../src/core/render.ts'
import { planFor } from '../support/amd64-fixtures.ts'

const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/)
// any text, biased towards QEMU's separators
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.constantFrom(',', ',,', '=', 'a', '/', ' ', ':', 'é'), { maxLength: 12 }).map((xs) => xs.join('')),
)
const value = fc.oneof(text, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(undefined))
const shown = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v))

describe('opts / parseOpts', () => {
  it('parseOpts recovers every bare element, key and value that opts rendered (undefined dropped)', () => {
    fc.assert(
      fc.property(
        fc.option(
          text.filter((s) => !s.includes('=')),
          { nil: undefined },
        ),
        fc.array(fc.tuple(key, value), { maxLength: 8 }),
        (bare, pairs) => {
          const items: ReadonlyArray<Opt> = [...(bare === undefined ? [] : [bare]), ...pairs]
          const expected = [
            ...(bare === undefined ? [] : [[bare, undefined] as const]),
            ...pairs.flatMap(([k, v]) => (v === undefined ? [] : [[k, shown(v)] as const])),
          ]
          const s = opts(items)
          if (expected.length === 0) expect(s).toBe('')
          else expect(parseOpts(s)).toEqual(expected)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('no value ever contributes a single comma', () => {
    fc.assert(
      fc.property(key, text, (k, v) => {
        const s = opts([
          ['a', 'x'],
          [k, v],
          ['z', 'y'],
        ])
        expect(parseOpts(s)).toHaveLength(3)
      }),
      { numRuns: 1000 },
    )
  })

  it('parseOpts splits any string as a character-at-a-time reading of QEMU’s rules does', () => {
    // the reference: walk the characters; `,,` is a literal comma, `,` ends an element, the
    // first `=` of an element separates key and value
    const reference = (s: string): Array<readonly [string, string | undefined]> => {
      const out: Array<readonly [string, string | undefined]> = []
      let el = ''
      const end = (): void => {
        const eq = el.indexOf('=')
        out.push(eq < 0 ? [el, undefined] : [el.slice(0, eq), el.slice(eq + 1)])
        el = ''
      }
      for (let i = 0; i < s.length; i++) {
        if (s[i] !== ',') el += s[i]
        else if (s[i + 1] === ',') {
          el += ','
          i++
        } else end()
      }
      end()
      return out
    }
    const raw = fc.array(fc.constantFrom(',', '=', 'a', 'bc', '=='), { maxLength: 24 }).map((xs) => xs.join(''))
    fc.assert(
      fc.property(raw, (s) => {
        expect(parseOpts(s)).toEqual(reference(s))
      }),
      { numRuns: 3000 },
    )
  })
})

// -------------------------------------------------------------------------------------
// devices: every user-supplied string survives the round trip
// -------------------------------------------------------------------------------------

const path = text.map((s) => `/${s}`)
const at: Placement = { _tag: 'Pci', bus: 'pci.0', slot: 3 }
const ctxs: ReadonlyArray<Dialect> = ['govmm', 'qemu']

/** The option strings of a rendered device, keyed by the flag before them (`-device`, `-drive`, …). */
const optionStrings = (d: Device, dialect: Dialect) => {
  const a = renderDevice(d, dialect, { transport: 'pci', fdBase: 3 }).args
  return a.flatMap((x, i) => (i % 2 === 1 ? [{ flag: a[i - 1] as string, parsed: parseOpts(x) }] : []))
}
const valueOf = (strings: ReturnType<typeof optionStrings>, flag: string, k: string) =>
  strings.filter((s) => s.flag === flag).flatMap((s) => s.parsed.filter(([kk]) => kk === k).map(([, v]) => v))

describe('device option strings', () => {
  it('recover block files, 9p paths and tags, chardev paths and names, NVDIMM and RNG files', () => {
    fc.assert(
      fc.property(path, path, text, path, text, path, path, (file, fsPath, tag, sock, name, img, rng) => {
        for (const ctx of ctxs) {
          const blk = optionStrings(
            {
              _tag: 'Block',
              id: 'd0',
              file,
              format: 'raw',
              aio: 'threads',
              cache: undefined,
              disableModern: false,
              shareRW: false,
              placement: at,
            },
            ctx,
          )
          expect(valueOf(blk, '-drive', 'file')).toEqual([file])
          const fs = optionStrings({ _tag: 'Fs9p', id: 'fs0', path: fsPath, mountTag: tag, disableModern: false, placement: at }, ctx)
          expect(valueOf(fs, '-fsdev', 'path')).toEqual([fsPath])
          expect(valueOf(fs, '-device', 'mount_tag')).toEqual([tag])
          const ch = optionStrings({ _tag: 'Char', driver: 'virtserialport', id: 'p0', chardev: 'c0', path: sock, name }, ctx)
          expect(valueOf(ch, '-chardev', 'path')).toEqual([sock])
          expect(valueOf(ch, '-device', 'name')).toEqual([name])
          const nv = optionStrings({ _tag: 'Nvdimm', id: 'nv0', memdev: 'mem0', memPath: img, size: 1, share: false }, ctx)
          expect(valueOf(nv, '-object', 'mem-path')).toEqual([img])
          const r = optionStrings({ _tag: 'Rng', id: 'rng0', filename: rng, placement: at }, ctx)
          expect(valueOf(r, '-object', 'filename')).toEqual([rng])
        }
      }),
      { numRuns: 500 },
    )
  })

  it('recover vhost-user sockets and tags, tap interface names and MACs', () => {
    fc.assert(
      fc.property(path, text, text, (sock, tag, ifName) => {
        for (const ctx of ctxs) {
          const vu = optionStrings(
            {
              _tag: 'VhostUser',
              type: 'fs',
              id: 'fs-a',
              socketPath: sock,
              chardev: 'char-a',
              mac: undefined,
              tag,
              cacheSizeMiB: 0,
              placement: at,
            },
            ctx,
          )
          expect(valueOf(vu, '-chardev', 'path')).toEqual([sock])
          expect(valueOf(vu, '-device', 'tag')).toEqual([tag])
          const net = optionStrings(
            {
              _tag: 'Net',
              type: 'tap',
              id: 'network-0',
              ifName,
              mac: '02:42:ac:11:00:02',
              fds: [],
              vhostFds: [],
              vhost: false,
              disableModern: false,
              placement: at,
            },
            ctx,
          )
          expect(valueOf(net, '-netdev', 'ifname')).toEqual([ifName])
          expect(valueOf(net, '-device', 'mac')).toEqual(['02:42:ac:11:00:02'])
          expect(valueOf(net, '-device', 'netdev')).toEqual(['network-0'])
        }
      }),
      { numRuns: 500 },
    )
  })

  it('recover the file-backed memory path and the QMP socket path of a whole plan', () => {
    fc.assert(
      fc.property(
        path,
        text.filter((s) => s.length > 0 && !s.includes('/') && !s.includes('=')),
        (memPath, dirPart) => {
          const runDir = `/run/${dirPart}`
          const p = planFor({ file_mem_backend: memPath }, { runDir })
          if (E.isLeft(p)) throw new Error(p.left._tag)
          for (const dialect of ['govmm', 'qemu'] as const) {
            const r = render(p.right, dialect)
            if (E.isLeft(r)) throw new Error(r.left._tag)
            const a = r.right.args
            const objects = a.flatMap((x, i) => (a[i - 1] === '-object' ? [parseOpts(x)] : []))
            const dimm = objects.filter((o) => o.some(([k, v]) => k === 'id' && v === 'dimm1'))
            expect(dimm.flatMap((o) => o.filter(([k]) => k === 'mem-path').map(([, v]) => v))).toEqual([memPath])
            const qmp = parseOpts(a[a.indexOf('-qmp') + 1] as string)
            expect(qmp[0]).toEqual([`unix:${runDir}/sb1/qmp.sock`, undefined])
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
