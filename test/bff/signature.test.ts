import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bodyDigest, dokuTimestamp, signatureHeader, signaturesEqual, textToSign } from '../../bff/doku/signature.ts';
import { DokuSignatureError, signedHeaders, verifyDokuSignature } from '../../bff/doku/verify.ts';

interface Vector {
  name: string;
  clientId: string;
  requestId: string;
  timestamp: string;
  target: string;
  body: string | null;
  secret: string;
  expectedDigest: string | null;
  expectedSignature: string;
}
const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../fixtures/doku-signature-vectors.json', import.meta.url), 'utf8'),
);

describe('DOKU signature vectors (from DOKU libraries)', () => {
  assert.equal(vectors.length, 4);
  for (const v of vectors) {
    it(v.name, () => {
      const digest = v.body === null ? undefined : bodyDigest(v.body);
      assert.equal(digest ?? null, v.expectedDigest);
      const text = textToSign({
        clientId: v.clientId,
        requestId: v.requestId,
        timestamp: v.timestamp,
        target: v.target,
        digest,
      });
      assert.ok(!text.endsWith('\n'));
      assert.equal(text.split('\n').length, v.body === null ? 4 : 5);
      assert.equal(signatureHeader(v.secret, text), v.expectedSignature);
      // And the verifier accepts exactly these headers.
      const headers = {
        'Client-Id': v.clientId,
        'Request-Id': v.requestId,
        'Request-Timestamp': v.timestamp,
        Signature: v.expectedSignature,
      };
      const ok = verifyDokuSignature({
        headers,
        rawBody: v.body,
        target: v.target,
        clientId: v.clientId,
        secretKey: v.secret,
        digest: v.body === null ? 'none' : 'body',
      });
      assert.equal(ok.requestId, v.requestId);
    });
  }

  it('a signer that adds a trailing newline gets the known wrong answer for V1', () => {
    const v = vectors[0];
    const text = textToSign({
      clientId: v.clientId,
      requestId: v.requestId,
      timestamp: v.timestamp,
      target: v.target,
      digest: bodyDigest(v.body!),
    });
    const wrong = signatureHeader(v.secret, text + '\n');
    assert.equal(wrong, 'HMACSHA256=6YxEAc8CMrI+3LRyIcW4w38hbPYITmWfly3SOZN6tTQ=');
    assert.notEqual(wrong, v.expectedSignature);
    const headers = {
      'Client-Id': v.clientId,
      'Request-Id': v.requestId,
      'Request-Timestamp': v.timestamp,
      Signature: wrong,
    };
    assert.throws(
      () =>
        verifyDokuSignature({ headers, rawBody: v.body, target: v.target, clientId: v.clientId, secretKey: v.secret }),
      DokuSignatureError,
    );
  });

  it('hashes bytes: a non-ASCII body as a Buffer gives the same digest as its string', () => {
    const v = vectors[2];
    assert.equal(bodyDigest(Buffer.from(v.body!, 'utf8')), v.expectedDigest);
  });
});

describe('verifyDokuSignature', () => {
  const secretKey = 'SK-TestSecretKey0001';
  const clientId = 'BRN-0001-1234567890123';
  const target = '/api/notifications/doku';
  const body = '{"order":{"invoice_number":"INV-1","amount":10000},"transaction":{"status":"SUCCESS"}}';
  const good = () => signedHeaders({ clientId, secretKey, target, body });
  const verify = (over: Partial<Parameters<typeof verifyDokuSignature>[0]>) =>
    verifyDokuSignature({ headers: good(), rawBody: body, target, clientId, secretKey, ...over });
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof DokuSignatureError);
      return e;
    }
    assert.fail('expected a DokuSignatureError');
  };

  it('accepts a good signature', () => assert.equal(verify({}).clientId, clientId));
  it('refuses a tampered body', () =>
    assert.equal(reason(() => verify({ rawBody: body.replace('10000', '10001') })).reason, 'signature_mismatch'));
  it('refuses a wrong secret', () =>
    assert.equal(reason(() => verify({ secretKey: 'SK-other' })).reason, 'signature_mismatch'));
  it('refuses another path', () =>
    assert.equal(reason(() => verify({ target: '/other' })).reason, 'signature_mismatch'));
  it('refuses another Client-Id, naming it', () => {
    const e = reason(() => verify({ clientId: 'BRN-other' }));
    assert.equal(e.reason, 'client_id_mismatch');
    assert.match(e.message, /Client-Id/);
  });
  it('refuses missing headers, naming them', () => {
    const { Signature: _s, ...rest } = good();
    const e = reason(() => verify({ headers: rest }));
    assert.equal(e.reason, 'missing_header');
    assert.match(e.message, /Signature/);
  });
  it('refuses a timestamp with milliseconds', () => {
    const h = signedHeaders({ clientId, secretKey, target, body, timestamp: '2024-05-01T03:04:05.123Z' });
    assert.equal(reason(() => verify({ headers: h })).reason, 'bad_timestamp');
  });
  it('reads headers in any case', () => {
    const lower = Object.fromEntries(Object.entries(good()).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(verify({ headers: lower }).clientId, clientId);
  });
  it('diagnoses a signature made for the proxied path', () => {
    const h = signedHeaders({ clientId, secretKey, target: '/internal/doku', body });
    const e = reason(() => verify({ headers: h, diagnose: { receivedPath: '/internal/doku' } }));
    assert.match(e.hint!, /Request-Target/);
  });
  it('diagnoses a digest over re-serialised JSON', () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const h = signedHeaders({ clientId, secretKey, target, body: JSON.stringify(JSON.parse(pretty)) });
    const e = reason(() => verify({ headers: h, rawBody: pretty, diagnose: {} }));
    assert.match(e.hint!, /re-serialised/);
  });
  it('never puts the secret or the signature in its error', () => {
    const h = signedHeaders({ clientId, secretKey: 'SK-wrong', target, body });
    const e = reason(() => verify({ headers: h, diagnose: {} }));
    const text = `${e.message} ${e.hint}`;
    assert.ok(!text.includes(secretKey) && !text.includes(h.Signature));
  });

  describe("DOKU's responses: with or without the Digest line, nothing else", () => {
    const common = {
      clientId,
      secretKey,
      target: '/linkaja-emoney/v2/ServiceRequestPayment',
      requestId: 'r-1',
      timestamp: '2024-05-01T03:04:05Z',
    };
    const withDigest = signedHeaders({ ...common, body, kind: 'response' });
    const withoutDigest = {
      ...withDigest,
      Signature: signatureHeader(secretKey, textToSign({ ...common, timestampLabel: 'Response-Timestamp' })),
    };
    const check = (headers: Record<string, string>, rawBody = body) =>
      verifyDokuSignature({
        headers,
        rawBody,
        target: common.target,
        clientId,
        secretKey,
        timestampLabel: 'Response-Timestamp',
        digest: 'either',
      });
    it('accepts the text with the Digest line', () => assert.equal(check(withDigest).requestId, 'r-1'));
    it('accepts the text without the Digest line', () => assert.equal(check(withoutDigest).requestId, 'r-1'));
    it('refuses a Request-Timestamp label where Response-Timestamp is signed', () => {
      const asRequest = { ...withDigest, Signature: signedHeaders({ ...common, body }).Signature };
      assert.throws(() => check(asRequest), DokuSignatureError);
    });
    it('refuses a tampered body with the Digest form', () =>
      assert.throws(() => check(withDigest, body + ' '), DokuSignatureError));
  });
});

describe('helpers', () => {
  it('dokuTimestamp has seconds and Z, no milliseconds', () => {
    assert.equal(dokuTimestamp(new Date('2020-09-22T01:51:00.987Z')), '2020-09-22T01:51:00Z');
  });
  it('signaturesEqual compares values of different lengths without throwing', () => {
    assert.equal(signaturesEqual('HMACSHA256=abc', 'HMACSHA256=abcd'), false);
    assert.equal(signaturesEqual('HMACSHA256=abc', 'HMACSHA256=abc'), true);
  });
});
