/**
 * The CLI conventions every command shares, in-process through `dispatch(argv, io)`: help and version,
 * standard input for `-`, `--json` (output and errors), one-line usage errors, bounded one-line
 * errors, OS errors as typed `Io` errors, and the last-resort guard (`Internal:`, exit 70).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import pkg from '../../../package.json' with { type: 'json' }
import { commands } from '../../../src/cli/commands/index.ts'
import type { Command } from '../../../src/cli/io.ts'
import { dispatch } from '../../../src/cli/dispatch.ts'

const root = resolve(import.meta.dirname, '../../..')
const at = (p: string): string => join(root, p)
const tmp = mkdtempSync(join(tmpdir(), 'qemu-plan-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Ran {
  readonly code: number
  readonly out: string
  readonly err: string
}
const cli = async (args: ReadonlyArray<string>, stdin?: string, table?: Readonly<Record<string, Command>>): Promise<Ran> => {
  let out = ''
  let err = ''
  const code = await dispatch(
    args,
    { out: (s) => (out += s), err: (s) => (err += s), ...(stdin === undefined ? {} : { stdin: async () => stdin }) },
    table,
  )
  return { code, out, err }
}
const lines = (s: string): ReadonlyArray<string> => s.split('\n').filter((l) => l !== '')

const config = at('examples/configuration.toml')
const sandbox = at('examples/sandbox.json')
const argvFile = at('test/golden/amd64/kata-worked-example.qemu.argv')
const caps = at('test/fixtures/caps/qemu-system-x86_64.json')

describe('help and version', () => {
  it('--help, -h and help print the tool usage on stdout, exit 0', async () => {
    for (const a of [['--help'], ['-h'], ['help']]) {
      const r = await cli(a)
      expect(r.code).toBe(0)
      expect(r.err).toBe('')
      for (const name of Object.keys(commands)) expect(r.out).toContain(`\n  ${name} `)
      expect(r.out).toContain('70')
    }
  })
  it('no arguments print the usage on stderr, exit 2', async () => {
    const r = await cli([])
    expect(r).toMatchObject({ code: 2, out: '' })
    expect(r.err).toContain('usage: qemu-plan COMMAND')
  })
  for (const [name, c] of Object.entries(commands)) {
    it(`${name} --help and -h print its usage on stdout, exit 0, whatever else is on the line`, async () => {
      for (const a of [
        [name, '--help'],
        [name, '--bogus', '-h'],
        ['help', name],
      ]) {
        const r = await cli(a)
        expect(r.code).toBe(0)
        expect(r.err).toBe('')
        expect(r.out.startsWith(`usage: ${c.usage}\n`)).toBe(true)
      }
    })
  }
  it('--version prints the version of package.json', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `qemu-plan ${pkg.version}\n`, err: '' })
  })
})

describe('usage errors', () => {
  it('are one line naming the problem and the usage, exit 2', async () => {
    for (const a of [
      ['argv'],
      ['argv', '--bogus'],
      ['parse'],
      ['diff', 'a'],
      ['check', argvFile],
      ['hotplug'],
      ['unplug', '--state', 'x'],
      ['probe'],
      ['teleport'],
    ]) {
      const r = await cli(a)
      expect(r.code, a.join(' ')).toBe(2)
      expect(r.out).toBe('')
      expect(lines(r.err), a.join(' ')).toHaveLength(1)
      expect(r.err).toMatch(/^usage error: .+; usage: qemu-plan /)
    }
  })
  it('bound and escape what they echo', async () => {
    const r = await cli(['argv', '--config', 'c', '--sandbox', 's', '--dialect', `x\n${'y'.repeat(100_000)}`])
    expect(r.code).toBe(2)
    expect(lines(r.err)).toHaveLength(1)
    expect(r.err).toContain('x\\nyyy')
    expect(r.err).toMatch(/…\(1000\d\d chars\); usage: /)
    expect(r.err.length).toBeLessThan(600)
  })
  it('under --json are one JSON object with the usage', async () => {
    const r = await cli(['argv', '--json', '--bogus'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.err)).toEqual({ error: 'UsageError', message: "Unknown option '--bogus'", usage: commands.argv?.usage })
  })
  it('refuse standard input for more than one input, and for --state', async () => {
    for (const a of [
      ['diff', '-', '-'],
      ['argv', '--config', '-', '--sandbox', '-'],
      ['check', '--caps', '-', '-'],
      ['hotplug', '--state', '-', 'cpus', '--count', '1'],
    ]) {
      const r = await cli(a, '[]')
      expect(r.code, a.join(' ')).toBe(2)
      expect(r.err).toMatch(/^usage error: .*standard input/)
    }
  })
})

describe('standard input', () => {
  it('- is the input of parse, topology, check and diff', async () => {
    const text = readFileSync(argvFile, 'utf8')
    const json = JSON.stringify(text.trimEnd().split('\n'))
    const fromFile = await cli(['parse', argvFile, '--format', 'json'])
    expect(await cli(['parse', '-', '--format', 'json'], json)).toEqual(fromFile)
    expect((await cli(['topology', '-'], json)).out).toBe((await cli(['topology', argvFile])).out)
    expect((await cli(['check', '--caps', caps, '-'], json)).code).toBe(0)
    expect((await cli(['check', '--caps', '-', argvFile], readFileSync(caps, 'utf8'))).code).toBe(0)
    expect(await cli(['diff', '-', argvFile], json)).toEqual({ code: 0, out: '', err: '' })
  })
  it('- is the config or the sandbox of argv', async () => {
    const args = ['--seed', '1', '--image-size', '134217728']
    const want = await cli(['argv', '--config', config, '--sandbox', sandbox, ...args])
    expect(want.code).toBe(0)
    expect(await cli(['argv', '--config', '-', '--sandbox', sandbox, ...args], readFileSync(config, 'utf8'))).toEqual(want)
    expect(await cli(['argv', '--config', config, '--sandbox', '-', ...args], readFileSync(sandbox, 'utf8'))).toEqual(want)
    expect(await cli(['topology', '--config', config, '-', '--image-size', '134217728'], readFileSync(sandbox, 'utf8'))).toMatchObject({
      code: 0,
    })
  })
})

describe('--json', () => {
  it('argv --json is --format json', async () => {
    const args = ['argv', '--config', config, '--sandbox', sandbox, '--seed', '1', '--image-size', '1']
    const r = await cli([...args, '--json'])
    expect(r).toEqual(await cli([...args, '--format', 'json']))
    expect(JSON.parse(r.out)[0]).toBe('/usr/bin/qemu-system-x86_64')
    expect(lines(r.err).map((l) => Object.keys(JSON.parse(l)))).toEqual([['note']])
    expect((await cli([...args, '--json', '--format', 'lines'])).code).toBe(2)
  })
  it('an error is one JSON object naming the tag, the message and the field', async () => {
    const bad = join(tmp, 'bad-mac.json')
    const sb = JSON.parse(readFileSync(sandbox, 'utf8'))
    sb.devices[2].mac = 'zz'
    writeFileSync(bad, JSON.stringify(sb))
    const r = await cli(['argv', '--json', '--config', config, '--sandbox', bad, '--image-size', '1'])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(lines(r.err)).toHaveLength(1)
    const e = JSON.parse(r.err)
    expect(e).toMatchObject({ error: 'InvalidInput', field: 'devices.2.mac' })
    expect(e.message).toMatch(/^devices\.2\.mac: expected MAC/)
  })
  it('every command takes --json, and its usage errors are JSON', async () => {
    for (const name of Object.keys(commands)) {
      const r = await cli([name, '--json', '--no-such-flag'])
      expect(r.code, name).toBe(2)
      expect(JSON.parse(r.err), name).toMatchObject({ error: 'UsageError' })
      expect(r.err).not.toContain("Unknown option '--json'")
    }
  })
  it('diff names the input that failed', async () => {
    const r = await cli(['diff', '--json', argvFile, join(tmp, 'missing.argv')])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.err)).toEqual({
      error: 'Io',
      message: `read ${join(tmp, 'missing.argv')}: ENOENT`,
      input: join(tmp, 'missing.argv'),
    })
  })
})

describe('OS errors are one typed line naming the operation and the path', () => {
  const cfg = join(tmp, 'run.toml')
  writeFileSync(cfg, `[hypervisor.qemu]\npath = "${join(tmp, 'no-qemu')}"\nkernel = "/k"\ninitrd = "/i"\nmachine_type = "q35"\n`)
  const sb = (o: Record<string, unknown>): string => {
    const p = join(tmp, `sb-${Math.random().toString(16).slice(2)}.json`)
    writeFileSync(
      p,
      JSON.stringify({
        arch: 'amd64',
        id: 'sb1',
        uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
        host: { memoryMiB: 4096, nested: false },
        runDir: join(tmp, 'run'),
        ...o,
      }),
    )
    return p
  }
  /** One typed error line, promptly: within a second, or `ms` for a case that must read up to the input limit first. */
  const one = async (args: ReadonlyArray<string>, re: RegExp, ms = 1000): Promise<void> => {
    const t0 = Date.now()
    const r = await cli(args)
    expect(Date.now() - t0, `within ${ms} ms`).toBeLessThan(ms)
    expect(r.code).toBe(1)
    // the host facts the sandbox leaves out are filled with a note each; the error is one line
    const errors = lines(r.err).filter((l) => !/^(note|warning): /.test(l))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(re)
  }
  it('run: a sandbox id or run dir over 255 bytes cannot hold its sockets: PathTooLong, before any directory is made', async () => {
    await one(
      ['run', '--config', cfg, '--sandbox', sb({ id: 'a'.repeat(300) })],
      /^PathTooLong: runDir \+ id: path too long \(got \d+, max 107\): .*a{10}…\(\d+ chars\)$/,
    )
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: join(tmp, 'b'.repeat(256)) })], /^PathTooLong: /)
    expect(existsSync(join(tmp, 'b'.repeat(256)))).toBe(false)
  })
  it('run: a run dir under /proc or /sys, or below a regular file, is refused within a second', async () => {
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: '/proc/qemu-plan-test' })], /^Io: mkdir \/proc\/qemu-plan-test: ENOENT$/)
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: '/proc/self' })], /^Io: mkdir \/proc\/self\/sb1: ENOENT$/)
    // a directory that exists but takes no entries
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: '/proc', id: 'self' })], /^Io: create an entry in \/proc\/self: E[A-Z]+$/)
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: '/sys/qemu-plan-test' })], /^Io: mkdir \/sys\/qemu-plan-test: E[A-Z]+$/)
    // the regular file in the way is the component named
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: cfg })], /^Io: mkdir .*run\.toml: ENOTDIR$/)
    await one(['run', '--config', cfg, '--sandbox', sb({ runDir: join(cfg, 'below') })], /^Io: mkdir .*run\.toml: ENOTDIR$/)
  })
  it('run: a missing binary is a typed error, and the run dir is made', async () => {
    await one(['run', '--config', cfg, '--sandbox', sb({})], /^QemuExited: .*cannot start .*no-qemu: spawn .* ENOENT$/)
    expect(statSync(join(tmp, 'run', 'sb1')).isDirectory()).toBe(true)
  })
  it('run: an argument over 128 KiB is E2BIG from spawn', async () => {
    const big = join(tmp, 'big.toml')
    writeFileSync(big, `[hypervisor.qemu]\npath = "/bin/true"\nkernel = "/${'k'.repeat(200_000)}"\ninitrd = "/i"\nmachine_type = "q35"\n`)
    await one(['run', '--config', big, '--sandbox', sb({})], /^Io: spawn \/bin\/true: E2BIG$/)
  })
  it('reading a directory, a symlink loop or an overlong name', async () => {
    const loop = join(tmp, 'loop')
    mkdirSync(loop, { recursive: true })
    rmSync(join(loop, 'a'), { force: true })
    rmSync(join(loop, 'b'), { force: true })
    const { symlinkSync } = await import('node:fs')
    symlinkSync(join(loop, 'b'), join(loop, 'a'))
    symlinkSync(join(loop, 'a'), join(loop, 'b'))
    await one(['parse', tmp], /^Io: read .*: EISDIR$/)
    await one(['parse', join(loop, 'a')], /^Io: read .*loop\/a: ELOOP$/)
    await one(['parse', join(tmp, 'x'.repeat(300))], /^Io: read .*…\(\d+ chars\): ENAMETOOLONG$/)
    // an endless device is read up to the 64 MiB input limit, then refused: bounded, not instant
    await one(['parse', '/dev/zero'], /^Io: read \/dev\/zero: EFBIG$/, 10_000)
  })
  it('probe --out a directory fails before the probe runs, and writes nothing', async () => {
    const before = readdirSync(tmp)
    await one(['probe', '--qemu', '/usr/bin/qemu-system-x86_64', '--out', tmp], new RegExp(`^Io: write ${tmp}: EISDIR$`))
    await one(
      ['probe', '--qemu', '/usr/bin/qemu-system-x86_64', '--out', join(tmp, 'no-dir', 'caps.json')],
      /^Io: write .*caps\.json: ENOENT$/,
    )
    expect(readdirSync(tmp)).toEqual(before)
  })
  it('probe --out leaves the old file when the probe fails', async () => {
    const out = join(tmp, 'caps.json')
    writeFileSync(out, 'old')
    const before = readdirSync(tmp).sort()
    await one(['probe', '--qemu', join(tmp, 'no-qemu'), '--out', out], /^QemuExited: /)
    expect(readFileSync(out, 'utf8')).toBe('old')
    expect(readdirSync(tmp).sort()).toEqual(before)
  })
})

describe('the last-resort guard', () => {
  const table: Readonly<Record<string, Command>> = {
    throws: {
      summary: 's',
      usage: 'u',
      run: async () => {
        throw new TypeError(`boom\n${'z'.repeat(10_000)}`)
      },
    },
    rejects: { summary: 's', usage: 'u', run: () => Promise.reject('not even an Error') },
  }
  it('reports a throwing command as one Internal line, exit 70', async () => {
    const r = await cli(['throws'], undefined, table)
    expect(r.code).toBe(70)
    expect(lines(r.err)).toHaveLength(1)
    expect(r.err).toMatch(/^Internal: TypeError: boom\\nzzz.*…\(10016 chars\) \(a bug in qemu-plan; please report it\)\n$/)
    expect((await cli(['rejects'], undefined, table)).err).toBe('Internal: not even an Error (a bug in qemu-plan; please report it)\n')
  })
  it('as one JSON object under --json', async () => {
    const r = await cli(['throws', '--json'], undefined, table)
    expect(r.code).toBe(70)
    expect(JSON.parse(r.err)).toMatchObject({ error: 'Internal' })
  })
})
