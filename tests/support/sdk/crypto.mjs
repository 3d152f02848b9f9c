// The official iexec SDK's dataset encryption and result decryption, run offline as an oracle for
// tests/compat, plus a builder of encrypted results in the format the TEE post-compute writes.
//
// Usage: node crypto.mjs < request.json > reply.json, request = { "op": ..., ...paths and keys }:
//   encrypt         {input, output, key}  the SDK's dataset.encrypt(input, key) -> output;
//                   reply {checksum: dataset.computeEncryptedFileChecksum(output bytes)}
//   checksum        {input}               reply {checksum} of the file, by the SDK
//   generate-key    {}                    reply {key}: dataset.generateEncryptionKey()
//   decrypt-result  {input, private_pem, output}   utils.decryptResult(input, PEM) -> output
//   make-result     {public_pem, output, inner} or {public_pem, output, encrypted, key}
//                   an encrypted result zip: "aes-key.rsa" = RSA PKCS#1 v1.5 of the 32-byte AES key and
//                   "iexec_out.zip.aes" = IV ‖ AES-256-CBC(inner), encrypted here with node's crypto and
//                   a fresh key, or an already encrypted file and its base64 key used as they are.

import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { IExecDatasetModule, utils } from 'iexec'

// JSZip as the SDK itself loads it (a dependency of iexec, not of this project).
const JSZip = createRequire(createRequire(import.meta.url).resolve('iexec'))('jszip')

const request = JSON.parse(readFileSync(0, 'utf8'))
// Encryption never touches the network; the chain name only satisfies the constructor.
const dataset = new IExecDatasetModule({ ethProvider: 'arbitrum-sepolia-testnet' })

async function makeResult () {
  let aesKey, payload
  if (request.inner !== undefined) {
    aesKey = randomBytes(32)
    const iv = randomBytes(16)
    const cipher = createCipheriv('aes-256-cbc', aesKey, iv)
    payload = Buffer.concat([iv, cipher.update(readFileSync(request.inner)), cipher.final()])
  } else {
    aesKey = Buffer.from(request.key, 'base64')
    payload = readFileSync(request.encrypted)
  }
  const wrappedKey = publicEncrypt(
    { key: readFileSync(request.public_pem, 'utf8'), padding: constants.RSA_PKCS1_PADDING },
    aesKey
  )
  const zip = new JSZip()
  zip.file('aes-key.rsa', wrappedKey)
  zip.file('iexec_out.zip.aes', payload)
  writeFileSync(request.output, await zip.generateAsync({ type: 'nodebuffer' }))
  return {}
}

const operations = {
  async encrypt () {
    const encrypted = await dataset.encrypt(readFileSync(request.input), request.key)
    writeFileSync(request.output, encrypted)
    return { checksum: await dataset.computeEncryptedFileChecksum(encrypted) }
  },
  'generate-key': () => ({ key: dataset.generateEncryptionKey() }),
  async checksum () {
    return { checksum: await dataset.computeEncryptedFileChecksum(readFileSync(request.input)) }
  },
  async 'decrypt-result' () {
    const plain = await utils.decryptResult(readFileSync(request.input), readFileSync(request.private_pem, 'utf8'))
    writeFileSync(request.output, plain)
    return {}
  },
  'make-result': makeResult
}

process.stdout.write(JSON.stringify(await operations[request.op]()))
