// The official SDK's local protectData steps on one file, for tests/bench/bench_protect.py: read the file,
// extractDataSchema + createZipFromObject on { file }, generate a key, dataset.encrypt, then
// computeEncryptedFileChecksum, and write the encrypted file (no upload, no transaction).
//
// Usage: node protect_local.mjs <input> <output>
// Prints JSON { seconds, idle_rss, peak_rss } (bytes; RSS from /proc/self/status, idle = before reading).

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readFileSync, writeFileSync } from 'node:fs'
import { IExecDatasetModule } from 'iexec'

const require = createRequire(import.meta.url)
const entry = require.resolve('@iexec/dataprotector')
const { createZipFromObject, extractDataSchema } = await import(
  pathToFileURL(join(dirname(entry), 'utils', 'data.js')).href
)

function status (field) {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(field))
  return Number(line.split(/\s+/)[1]) * 1024
}

const [input, output] = process.argv.slice(2)
const dataset = new IExecDatasetModule({ ethProvider: 'arbitrum-sepolia-testnet' })
const idle = status('VmRSS:')
const start = performance.now()
const data = { file: new Uint8Array(readFileSync(input)) }
await extractDataSchema(data)
const zip = await createZipFromObject(data)
const key = dataset.generateEncryptionKey()
const encrypted = await dataset.encrypt(zip, key)
await dataset.computeEncryptedFileChecksum(encrypted)
writeFileSync(output, encrypted)
const seconds = (performance.now() - start) / 1000
process.stdout.write(JSON.stringify({ seconds, idle_rss: idle, peak_rss: status('VmHWM:') }))
