// The official DataProtector SDK's serialization (@iexec/dataprotector, utils/data.js), run offline as an
// oracle for tests/compat: the zip `createZipFromObject` builds and the schema `extractDataSchema` returns,
// i.e. the two steps `protectData` runs before encrypting.
//
// Usage: node serialize.mjs < request.json > reply.json
//   request: { "date": <ms since epoch>, "records": [<value>...], "probes": [<base64>...] }
//   reply:   { "records": [{ "zip": <base64>, "schema": <JSON string> }...], "probes": [<schema type>...],
//              "signatures": [[<offset>, [<"0x.." byte or "?">...]]...] }
// "signatures" lists every signature in the MIME detector the SDK loads (magic-bytes.js), for building probes.
// A <value> is typed because JSON cannot say bigint or Uint8Array:
//   {"bool": true} {"f64": "1.5"} {"bigint": "-2"} {"string": "hé"} {"bytes": "<base64>"}
//   {"object": [["key", <value>], ...]}   (pairs, so the SDK sees the keys in the order they were inserted)
// JSZip stamps entries with `new Date()`; the global Date is pinned to "date" so the zips are comparable.

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
// data.js is not in the package's "exports": import the file itself, next to the entry point.
const entry = require.resolve('@iexec/dataprotector')
const { createZipFromObject, extractDataSchema, ensureDataObjectIsValid } = await import(
  pathToFileURL(join(dirname(entry), 'utils', 'data.js')).href
)

const requireFromSdk = createRequire(entry)
const { createTree } = requireFromSdk('magic-bytes.js/dist/model/pattern-tree.js')

const request = JSON.parse(readFileSync(0, 'utf8'))

const RealDate = Date
class PinnedDate extends RealDate {
  constructor (...args) {
    if (args.length === 0) super(request.date)
    else super(...args)
  }

  static now () {
    return request.date
  }
}
globalThis.Date = PinnedDate

function decode (value) {
  if ('bool' in value) return value.bool
  if ('f64' in value) return Number(value.f64)
  if ('bigint' in value) return BigInt(value.bigint)
  if ('string' in value) return value.string
  if ('bytes' in value) return new Uint8Array(Buffer.from(value.bytes, 'base64'))
  if ('object' in value) {
    const object = {}
    for (const [key, nested] of value.object) object[key] = decode(nested)
    return object
  }
  throw new Error(`unknown value ${JSON.stringify(value)}`)
}

const records = []
for (const typed of request.records ?? []) {
  const data = decode(typed)
  ensureDataObjectIsValid(data)
  const schema = JSON.stringify(await extractDataSchema(data))
  const zip = await createZipFromObject(data)
  records.push({ zip: Buffer.from(zip).toString('base64'), schema })
}

const probes = []
for (const probe of request.probes ?? []) {
  const schema = await extractDataSchema({ x: new Uint8Array(Buffer.from(probe, 'base64')) })
  probes.push(schema.x)
}

const signatures = []
function collect (node, offset, path) {
  if (node.matches) signatures.push([offset, path])
  for (const [byte, child] of Object.entries(node.bytes)) collect(child, offset, [...path, byte])
}
const tree = createTree()
for (const offset of Object.keys(tree.offset)) collect(tree.offset[offset], Number(offset), [])
collect(tree.noOffset, 0, [])

process.stdout.write(JSON.stringify({ records, probes, signatures }))
