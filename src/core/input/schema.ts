/**
 * JSON Schema (draft 2020-12) for the configuration and the sandbox, generated from the io-ts
 * codecs the decoders use, so the two cannot drift: every refined codec carries its own schema
 * (`Refined.schema`), and this module walks the codec tree. Unknown keys are allowed, as the
 * decoders only warn about them. `npm run schema` writes the committed files
 * `schema/configuration.schema.json` and `schema/sandbox.schema.json`.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import { QemuTable } from './config.ts'
import { Refined, type JsonSchema } from './decode.ts'
import { sandboxCodecs } from './sandbox.ts'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

type AnyCodec = t.Decoder<unknown, unknown>

const object = (properties: Record<string, JsonSchema>, required: ReadonlyArray<string>): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
})

/**
 * The JSON Schema of a codec built from `Refined` codecs, io-ts primitives, literals, arrays,
 * `type`, `partial`, `intersection` and `union`.
 *
 * @example
 * import * as t from 'io-ts'
 * import { toSchema } from 'qemu-plan'
 * assert.deepStrictEqual(toSchema(t.type({ a: t.boolean })), { type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] })
 * @since 0.2.0
 * @category codecs
 */
export const toSchema = (c: AnyCodec): JsonSchema => {
  if (c instanceof Refined) return { description: c.name, ...c.schema }
  if (c instanceof t.BooleanType) return { type: 'boolean' }
  if (c instanceof t.StringType) return { type: 'string' }
  if (c instanceof t.NumberType) return { type: 'number' }
  if (c instanceof t.UnknownType) return {}
  if (c instanceof t.LiteralType) return { const: c.value }
  if (c instanceof t.ArrayType) return { type: 'array', items: toSchema(c.type as AnyCodec) }
  if (c instanceof t.InterfaceType || c instanceof t.PartialType) {
    const props = c.props as Record<string, AnyCodec>
    return object(
      Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toSchema(v)])),
      c instanceof t.InterfaceType ? Object.keys(props) : [],
    )
  }
  if (c instanceof t.IntersectionType) {
    const parts = (c.types as ReadonlyArray<AnyCodec>).map(toSchema)
    return object(
      Object.assign({}, ...parts.map((p) => (p.properties ?? {}) as Record<string, JsonSchema>)) as Record<string, JsonSchema>,
      parts.flatMap((p) => (p.required ?? []) as ReadonlyArray<string>),
    )
  }
  if (c instanceof t.UnionType) return { anyOf: (c.types as ReadonlyArray<AnyCodec>).map(toSchema) }
  // a codec this walker does not know accepts anything; the schema test shows it in the committed files
  return { $comment: `no JSON Schema for codec ${c.name}` }
}

const draft = 'https://json-schema.org/draft/2020-12/schema'

// -------------------------------------------------------------------------------------
// schemas
// -------------------------------------------------------------------------------------

/**
 * Kata's `configuration.toml` (as TOML parses it, or the same document in JSON): the
 * `[hypervisor.qemu]` table under `hypervisor.qemu`, or the table's keys at the top.
 *
 * @since 0.2.0
 * @category codecs
 */
export const configurationSchema = (): JsonSchema => {
  const table = { ...toSchema(QemuTable), description: 'the [hypervisor.qemu] table: katautils keys, an empty string meaning "not set"' }
  return {
    $schema: draft,
    title: 'qemu-plan configuration (Kata configuration.toml)',
    type: 'object',
    if: { type: 'object', required: ['hypervisor'] },
    then: { properties: { hypervisor: { type: 'object', properties: { qemu: table }, required: ['qemu'] } } },
    else: table,
  }
}

/**
 * The sandbox document: identity, host facts, templating, hot-plug needs and devices (one schema
 * per `kind`). amd64 needs `host.nested`, as the decoder does.
 *
 * @since 0.2.0
 * @category codecs
 */
export const sandboxSchema = (): JsonSchema => {
  const top = toSchema(sandboxCodecs.top)
  const devices = Object.values(sandboxCodecs.devices).map((c) => toSchema(c as AnyCodec))
  return {
    $schema: draft,
    title: 'qemu-plan sandbox',
    ...top,
    properties: {
      ...(top.properties as Record<string, JsonSchema>),
      host: toSchema(sandboxCodecs.host),
      template: toSchema(sandboxCodecs.template),
      hotplug: toSchema(sandboxCodecs.hotplug),
      devices: { type: 'array', items: { oneOf: devices } },
    },
    if: { properties: { arch: { const: 'amd64' } }, required: ['arch'] },
    then: { properties: { host: { type: 'object', required: ['nested'] } } },
  }
}

/** Both files, as `npm run schema` writes them. @since 0.2.0 @category codecs */
export const schemaFiles = (): Readonly<Record<string, string>> => ({
  'configuration.schema.json': `${JSON.stringify(configurationSchema(), null, 2)}\n`,
  'sandbox.schema.json': `${JSON.stringify(sandboxSchema(), null, 2)}\n`,
})
