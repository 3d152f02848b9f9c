// The official iexec SDK's order hashing and signing and its SMS secret pushes, run offline as an oracle
// for tests/compat/test_sdk_hashes.py.
//
// Usage: node hashes.mjs < request.json > reply.json
//   request: { "key": <0x private key>, "sms": <url>,
//              "hashes":  [{ "kind", "domain", "order", "typed" }...],
//              "signs":   [{ "kind", "domain", "order" }...],
//              "secrets": [{ "kind": "web3", "address", "value" } | { "kind": "web2", "name", "value" }
//                          | { "kind": "result-key", "value" }
//                          | { "kind": "requester", "name", "value" }...] }
//   "kind" of an order: apporder | datasetorder | workerpoolorder | requestorder. A "domain" is what
//   hub.domain() returns, { name, version, chainId, verifyingContract }; uint256 fields travel as decimal
//   strings, since JSON numbers cannot hold them.
//   reply: { "address": <signer>,
//            "hashes":  [{ "hash" | null, "refused" | null, "typed" }...],
//            "signs":   [{ "order", "hash", "domain", "types" }...],
//            "secrets": [{ "challenge", "authorization", "method", "url", "body" }...] }
//
// Everything goes through the SDK's public modules, as @iexec/dataprotector calls them, except where said:
//   hashes  -> iexec.order.hash<Kind>(order) (validation, hub.domain(), then hashEIP712); "refused" is the
//              error the SDK threw instead of a hash (its validation rejects some tags and params).
//              "typed" is the SDK's own hashEIP712 (common/utils/sig-utils.js, not exported) applied to
//              the typed data the caller built, so orders the SDK refuses still get their encoding checked.
//   signs   -> iexec.order.sign<Kind>(order, { preflightCheck: false }), then iexec.order.hash<Kind> of the
//              signed order; "domain" and "types" are what the SDK handed to the signer's signTypedData.
//   secrets -> iexec.dataset.pushDatasetSecret, iexec.secrets.pushRequesterSecret,
//              iexec.result.pushResultEncryptionKey, and common/sms/push.js pushWeb2Secret (the SDK's
//              generic web2 push, not on a public module); "challenge" is the 32 bytes the SDK handed to
//              the signer's signMessage, the rest is the request it sent.
// The chain and the SMS are stubbed, and only them: the contracts client answers hub.domain() and
// owner() (every resource belongs to the signer), and fetch answers 404 to existence checks and 204 to
// pushes. The signer is the SDK's own utils.getSignerFromPrivateKey wallet, wrapped to record its inputs.

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  IExecConfig,
  IExecDatasetModule,
  IExecOrderModule,
  IExecResultModule,
  IExecSecretsModule,
  utils
} from 'iexec'

const require = createRequire(import.meta.url)
// Modules that are not in the package's "exports": import the files themselves, next to the entry point.
const common = join(dirname(require.resolve('iexec')), '..', 'common')
const { hashEIP712 } = await import(pathToFileURL(join(common, 'utils', 'sig-utils.js')).href)
const { pushWeb2Secret } = await import(pathToFileURL(join(common, 'sms', 'push.js')).href)

// Read stdin as a stream: a request larger than the pipe's buffer makes readFileSync(0) fail with EAGAIN.
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const SMS = request.sms ?? 'https://sms.example.test'
// A known chain name only lets the SDK build its wallet; the wallet never needs the network to sign.
const wallet = utils.getSignerFromPrivateKey('arbitrum-sepolia-testnet', request.key)

const HASH = {
  apporder: 'hashApporder',
  datasetorder: 'hashDatasetorder',
  workerpoolorder: 'hashWorkerpoolorder',
  requestorder: 'hashRequestorder'
}
const SIGN = {
  apporder: 'signApporder',
  datasetorder: 'signDatasetorder',
  workerpoolorder: 'signWorkerpoolorder',
  requestorder: 'signRequestorder'
}

// What the SDK asked the wallet to sign, most recent last.
const signed = { messages: [], typedData: [] }
const signer = {
  getAddress: () => wallet.getAddress(),
  signMessage (message) {
    signed.messages.push(message)
    return wallet.signMessage(message)
  },
  signTypedData (domain, types, value) {
    signed.typedData.push({ domain, types })
    return wallet.signTypedData(domain, types, value)
  }
}

// The part of IExecContractsClient the order and secret code reads: hub.domain() and resources' owner().
function contractsFor (domain) {
  return {
    chainId: Number(domain?.chainId ?? 0),
    signer,
    getIExecContract: () => ({
      domain: async () => ({ ...domain, chainId: BigInt(domain.chainId) })
    }),
    getContract: () => ({ owner: async () => wallet.getAddress() })
  }
}

// An IExecConfig whose chain and SMS are the stubs above (the modules only call these two resolvers).
function configFor (domain) {
  const config = Object.create(IExecConfig.prototype)
  config.resolveContractsClient = async () => contractsFor(domain)
  config.resolveSmsURL = async () => SMS
  return config
}

const requests = []
globalThis.fetch = async (url, init = {}) => {
  const method = init.method ?? 'GET'
  requests.push({ method, url: String(url), headers: init.headers ?? {}, body: init.body })
  return new Response(null, { status: method === 'HEAD' ? 404 : 204 })
}

async function hash ({ kind, domain, order, typed }) {
  const reply = { hash: null, refused: null, typed: hashEIP712(typed) }
  try {
    reply.hash = await new IExecOrderModule(configFor(domain))[HASH[kind]](order)
  } catch (error) {
    // Yup's ValidationError, or a plain Error thrown by a tag test (legacy TEE framework).
    reply.refused = `${error.name}: ${error.message}`
  }
  return reply
}

async function sign ({ kind, domain, order }) {
  const module = new IExecOrderModule(configFor(domain))
  const options = kind === 'workerpoolorder' ? undefined : { preflightCheck: false }
  const signedOrder = await module[SIGN[kind]](order, options)
  const { domain: signedDomain, types } = signed.typedData.at(-1)
  return { order: signedOrder, hash: await module[HASH[kind]](signedOrder), domain: signedDomain, types }
}

async function push (secret) {
  const config = configFor(undefined)
  const before = requests.length
  switch (secret.kind) {
    case 'web3':
      await new IExecDatasetModule(config).pushDatasetSecret(secret.address, secret.value)
      break
    case 'web2':
      await pushWeb2Secret(contractsFor(undefined), SMS, secret.name, secret.value)
      break
    case 'result-key':
      await new IExecResultModule(config).pushResultEncryptionKey(secret.value)
      break
    case 'requester':
      await new IExecSecretsModule(config).pushRequesterSecret(secret.name, secret.value)
      break
    default:
      throw new Error(`unknown secret kind ${secret.kind}`)
  }
  const sent = requests.slice(before).filter((r) => r.method !== 'HEAD')
  if (sent.length !== 1) throw new Error(`expected one push, got ${JSON.stringify(sent)}`)
  const [{ method, url, headers, body }] = sent
  return {
    challenge: Buffer.from(signed.messages.at(-1)).toString('hex'),
    authorization: headers.Authorization,
    method,
    url,
    body
  }
}

const reply = { address: await wallet.getAddress(), hashes: [], signs: [], secrets: [] }
for (const item of request.hashes ?? []) reply.hashes.push(await hash(item))
for (const item of request.signs ?? []) reply.signs.push(await sign(item))
for (const item of request.secrets ?? []) reply.secrets.push(await push(item))
process.stdout.write(JSON.stringify(reply))
