#!/usr/bin/env node
// Entry point for the `qemu-plan` command.
//
// Installed from the package, it runs dist/cli/main.js: the CLI compiled and bundled by
// `npm run build` (scripts/build.ts), which starts in a fraction of the time the TypeScript sources
// take through tsx (`npm run bench` measures it).
//
// In a source checkout (tsconfig.json beside package.json: the package does not ship it) it runs
// the TypeScript sources through tsx, a devDependency, so what runs is what you edited and never a
// stale dist/ (the tests spawn this file without building first).
import { existsSync } from 'node:fs'

if (existsSync(new URL('../tsconfig.json', import.meta.url))) {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
} else {
  await import('../dist/cli/main.js')
}
