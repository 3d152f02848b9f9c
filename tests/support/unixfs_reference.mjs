// Reference CIDs computed by the official JS UnixFS importer with kubo's default `ipfs add` settings.
// The Python tests compare our own CID builder against this, offline.
//
// Usage: node tests/support/unixfs_reference.mjs [--chunk-size N] [--max-children N] <path>...
// Prints one line per path: "<CIDv0> <cumulative DAG size in bytes>" (the size kubo reports as "Size").
// The two options exist only so tests can reach deep trees with small files; they default to kubo's values.

import { createReadStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { BlackHoleBlockstore } from 'blockstore-core/black-hole'
import { importFile } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const { values, positionals } = parseArgs({
  options: {
    'chunk-size': { type: 'string', default: '262144' },
    'max-children': { type: 'string', default: '174' }
  },
  allowPositionals: true
})
if (positionals.length === 0) {
  console.error('usage: node unixfs_reference.mjs [--chunk-size N] [--max-children N] <path>...')
  process.exit(2)
}

// kubo's defaults, spelled out rather than taken from a profile so the comparison cannot drift silently.
const options = {
  cidVersion: 0,
  rawLeaves: false,
  leafType: 'file',
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: Number(values['chunk-size']) }),
  layout: balanced({ maxChildrenPerNode: Number(values['max-children']) })
}

// Blocks are only hashed, never kept: the black-hole blockstore lets a 44 MiB file cost no memory.
for (const path of positionals) {
  const entry = await importFile({ content: createReadStream(path) }, new BlackHoleBlockstore(), options)
  console.log(`${entry.cid.toString()} ${entry.size.toString()}`)
}
