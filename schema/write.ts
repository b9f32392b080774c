/**
 * `npm run schema`: write the JSON Schema files generated from the input codecs
 * (src/core/input/schema.ts) next to this script. test/unit/core/input/schema.test.ts checks that
 * the committed files equal what this writes.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { schemaFiles } from '../src/core/input/schema.ts'

for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(join(import.meta.dirname, name), text)
