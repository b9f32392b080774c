/**
 * What a user of the published package gets: `npm run build`, `npm pack`, and the tarball installed
 * with its dependencies into a fresh project, as `npm install qemu-plan` would. Used by the consumer
 * test (test/consumer/) and the CLI start-up row of `npm run bench`.
 *
 * The install needs no registry look-up: the consumer's package-lock.json is written from this
 * repository's, so `npm ci --prefer-offline` takes the very versions `npm ci` installed here (the
 * dependencies, and fp-ts, fast-check and @types/node at the pinned devDependency versions for the
 * peers) from npm's cache.
 *
 *   npx tsx scripts/consumer.ts DIR    # build, pack and install into DIR/app; prints the paths
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'

export const repoRoot = resolve(import.meta.dirname, '..')

interface LockEntry {
  readonly version?: string
  readonly dependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly [k: string]: unknown
}
interface Lock {
  readonly packages: Readonly<Record<string, LockEntry>>
}
interface Manifest {
  readonly name: string
  readonly version: string
  readonly license?: string
  readonly bin?: Readonly<Record<string, string>>
  readonly engines?: Readonly<Record<string, string>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly peerDependenciesMeta?: Readonly<Record<string, unknown>>
  readonly devDependencies?: Readonly<Record<string, string>>
}

export interface Packed {
  /** The tarball's path. */
  readonly tarball: string
  /** Every path in the tarball (relative to the package root). */
  readonly files: ReadonlyArray<string>
}

export interface Installed extends Packed {
  /** The consumer project: `node_modules/qemu-plan` is the installed tarball. */
  readonly app: string
  /** `app/node_modules/qemu-plan`. */
  readonly pkg: string
}

const npm = async (args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  try {
    const r = await promisify(execFile)('npm', [...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    })
    return r.stdout
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string }
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${x.stdout ?? ''}${x.stderr ?? String(e)}`)
  }
}

/** `npm run build`, then `npm pack` into `dir`. */
export const buildAndPack = async (dir: string): Promise<Packed> => {
  await npm(['run', 'build'], repoRoot)
  // the build just ran: no prepack again
  const out = JSON.parse(await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], repoRoot)) as ReadonlyArray<{
    filename: string
    files: ReadonlyArray<{ path: string }>
  }>
  const p = out[0]
  if (p === undefined) throw new Error('npm pack printed no result')
  return { tarball: join(dir, p.filename), files: p.files.map((f) => f.path) }
}

/** The lock entries of `names` and everything they depend on, from this repository's lockfile. */
const closure = (lock: Lock, names: ReadonlyArray<string>): Record<string, LockEntry> => {
  const out: Record<string, LockEntry> = {}
  const visit = (name: string): void => {
    const key = `node_modules/${name}`
    if (key in out) return
    const e = lock.packages[key]
    if (e === undefined) throw new Error(`${name} is not in package-lock.json: run npm ci`)
    // as an ordinary dependency of the consumer, not a devDependency of ours
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = e
    out[key] = entry
    for (const d of Object.keys({ ...e.dependencies })) visit(d)
  }
  for (const n of names) visit(n)
  return out
}

/** Install the tarball (and fp-ts, fast-check, @types/node) into a new project `dir/app`. */
export const install = async (dir: string, packed: Packed): Promise<Installed> => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lock
  const app = join(dir, 'app')
  mkdirSync(app, { recursive: true })
  const dev = manifest.devDependencies ?? {}
  const pinned = (name: string): string => {
    const v = dev[name]
    if (v === undefined) throw new Error(`${name} is not a devDependency`)
    return v
  }
  const extras = ['fp-ts', 'fast-check', '@types/node']
  const tarball = `file:${relative(app, packed.tarball)}`
  const dependencies: Record<string, string> = { 'qemu-plan': tarball, ...Object.fromEntries(extras.map((n) => [n, pinned(n)])) }
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'qemu-plan-consumer', private: true, type: 'module', dependencies }, null, 2)}\n`,
  )
  const integrity = `sha512-${createHash('sha512').update(readFileSync(packed.tarball)).digest('base64')}`
  const { name, version, license, bin, engines, dependencies: deps, peerDependencies, peerDependenciesMeta } = manifest
  const consumerLock = {
    name: 'qemu-plan-consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'qemu-plan-consumer', dependencies },
      [`node_modules/${name}`]: {
        version,
        resolved: tarball,
        integrity,
        license,
        dependencies: deps,
        bin,
        engines,
        peerDependencies,
        peerDependenciesMeta,
      },
      ...closure(lock, [...Object.keys(deps ?? {}), ...extras]),
    },
  }
  writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(consumerLock, null, 2)}\n`)
  await npm(['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app)
  return { ...packed, app, pkg: join(app, 'node_modules', name) }
}

/** Build, pack and install into `dir/app`. */
export const packAndInstall = async (dir: string): Promise<Installed> => install(dir, await buildAndPack(dir))

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const dir = process.argv[2]
  if (dir === undefined) throw new Error('usage: npx tsx scripts/consumer.ts DIR')
  const i = await packAndInstall(resolve(dir))
  console.log(JSON.stringify({ tarball: i.tarball, app: i.app, pkg: i.pkg }, null, 2))
}
