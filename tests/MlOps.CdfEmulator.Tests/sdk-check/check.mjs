// Drives a running CDF emulator through Cognite's official JS SDK: upload, list (with paging), retrieve,
// download, update, a 409, a 400 with missing, multipart, data sets and delete. Exit code 0 and "SDK CHECK OK" on success.
// Environment: CDF_BASE_URL, CDF_PROJECT, CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET.
import { CogniteClient, CogniteError } from '@cognite/sdk';
import assert from 'node:assert/strict';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function getToken() {
  const response = await fetch(env('CDF_TOKEN_URL'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env('CDF_CLIENT_ID'),
      client_secret: env('CDF_CLIENT_SECRET'),
      scope: `${env('CDF_BASE_URL')}/.default`,
    }),
  });
  assert.equal(response.status, 200, 'token endpoint');
  return (await response.json()).access_token;
}

const client = new CogniteClient({
  appId: 'mlops-emulator-check',
  baseUrl: env('CDF_BASE_URL'),
  project: env('CDF_PROJECT'),
  oidcTokenProvider: getToken,
});
await client.authenticate();

const prefix = `sdk-${Date.now()}`;
const content = Buffer.alloc(300 * 1024);
for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) % 251;

// Upload three files (the emulator caps pages at 2, so listing needs the cursor).
const uploaded = [];
for (let i = 0; i < 3; i++) {
  const info = await client.files.upload(
    { externalId: `${prefix}/${i}`, name: `model-${i}.bin`, mimeType: 'application/octet-stream', directory: '/models/sdk',
      metadata: { version: String(i) } },
    content, false, true);
  assert.equal(info.uploaded, true, 'waitUntilAcknowledged returns an uploaded file');
  assert.ok(info.createdTime instanceof Date, 'SDK parses createdTime as a Date');
  assert.ok(info.id > 2 ** 31, 'int64 id');
  uploaded.push(info);
}

const listed = await client.files.list({ filter: { externalIdPrefix: prefix, uploaded: true }, limit: 1000 }).autoPagingToArray({ limit: Infinity });
assert.deepEqual(listed.map(f => f.externalId).sort(), uploaded.map(f => f.externalId).sort(), 'list pages through all files');

const byMetadata = await client.files.list({ filter: { metadata: { version: '1' }, directoryPrefix: '/models/sdk' } }).autoPagingToArray({ limit: Infinity });
assert.ok(byMetadata.some(f => f.externalId === `${prefix}/1`), 'metadata filter');

const [retrieved] = await client.files.retrieve([{ externalId: `${prefix}/1` }]);
assert.equal(retrieved.id, uploaded[1].id);
assert.equal(retrieved.metadata.version, '1');
assert.ok(retrieved.uploadedTime instanceof Date, 'uploadedTime parsed as a Date');

const [link] = await client.files.getDownloadUrls([{ id: uploaded[1].id }]);
const downloaded = Buffer.from(await (await fetch(link.downloadUrl)).arrayBuffer());
assert.ok(downloaded.equals(content), 'downloaded bytes match');

const [updated] = await client.files.update([{ id: uploaded[0].id, update: { metadata: { add: { stage: 'prod' } } } }]);
assert.equal(updated.metadata.stage, 'prod');

let conflict;
try {
  await client.files.upload({ externalId: `${prefix}/0`, name: 'again.bin' });
} catch (e) {
  conflict = e;
}
assert.ok(conflict instanceof CogniteError, `duplicate create throws CogniteError, got ${conflict?.constructor?.name}: ${conflict?.message}`);
assert.equal(conflict.status, 409);
assert.deepEqual(conflict.duplicated, [{ externalId: `${prefix}/0` }]);
assert.ok(conflict.requestId, 'CogniteError carries X-Request-ID');

let missing;
try {
  await client.files.retrieve([{ externalId: `${prefix}/nope` }]);
} catch (e) {
  missing = e;
}
assert.equal(missing?.status, 400);
assert.deepEqual(missing.missing, [{ externalId: `${prefix}/nope` }]);

// Multipart: 5 MiB + a small last part, uploaded out of order; the SDK completes the upload after the last part.
const partA = Buffer.alloc(5 * 1024 * 1024, 1);
const partB = Buffer.alloc(1000, 2);
const session = await client.files.multipartUploadSession({ externalId: `${prefix}/multi`, name: 'multi.bin' }, 2);
await session.uploadPart(1, partB);
await session.uploadPart(0, partA);
assert.equal(session.getFinished(), true, 'multipart upload completed');
const [multi] = await client.files.retrieve([{ externalId: `${prefix}/multi` }]);
assert.equal(multi.uploaded, true);
const [multiLink] = await client.files.getDownloadUrls([{ externalId: `${prefix}/multi` }]);
const multiBytes = Buffer.from(await (await fetch(multiLink.downloadUrl)).arrayBuffer());
assert.ok(multiBytes.equals(Buffer.concat([partA, partB])), 'multipart parts joined in order');
uploaded.push(multi);

// Data sets: create, retrieve by external id, list; files filtered by a data set named by external id.
const [dataSet] = await client.datasets.create([{ externalId: `${prefix}-mlops`, name: 'mlops', writeProtected: false, metadata: { team: 'ml' } }]);
assert.ok(dataSet.id > 0 && dataSet.createdTime instanceof Date, 'data set created');
const [byExternalId] = await client.datasets.retrieve([{ externalId: `${prefix}-mlops` }]);
assert.equal(byExternalId.id, dataSet.id);
const listedSets = await client.datasets.list({ filter: { externalIdPrefix: prefix } }).autoPagingToArray({ limit: Infinity });
assert.deepEqual(listedSets.map(d => d.id), [dataSet.id], 'data sets listed by external id prefix');
let unknownSet;
try {
  await client.datasets.retrieve([{ externalId: `${prefix}-none` }]);
} catch (e) {
  unknownSet = e;
}
assert.equal(unknownSet?.status, 400);
assert.deepEqual(unknownSet.missing, [{ externalId: `${prefix}-none` }]);
const inSet = await client.files.upload({ externalId: `${prefix}/in-set`, name: 'in-set.bin', dataSetId: dataSet.id }, Buffer.from('x'), false, true);
uploaded.push(inSet);
const filtered = await client.files.list({ filter: { dataSetIds: [{ externalId: `${prefix}-mlops` }] } }).autoPagingToArray({ limit: Infinity });
assert.deepEqual(filtered.map(f => f.externalId), [`${prefix}/in-set`], 'files filtered by a data set external id');

await client.files.delete(uploaded.map(f => ({ id: f.id })));
const after = await client.files.retrieve(uploaded.map(f => ({ id: f.id })), { ignoreUnknownIds: true });
assert.equal(after.length, 0, 'delete removed the files');

console.log('SDK CHECK OK');
