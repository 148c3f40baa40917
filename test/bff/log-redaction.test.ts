// Known answers for what never reaches a log line: every key the logger censors, at each level it
// looks into, in a line and in a child's bindings; an object with nothing to censor passes untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CENSOR, REDACTED_KEYS, redactForLog } from '../../bff/lib/log-redaction.ts';
import { capturingLogger } from '../helpers/log-capture.ts';

const SECRET = 'sk-live-0123456789';

/** A written line, read back: nested objects of strings. */
type Line = { [key: string]: string & Line };

describe('log redaction', { timeout: 10_000 }, () => {
  it('censors every listed key at the top level', () => {
    for (const key of REDACTED_KEYS) {
      assert.deepEqual(redactForLog({ [key]: SECRET, invoice: 'INV-1' }), { [key]: CENSOR, invoice: 'INV-1' }, key);
    }
  });

  it('censors them one and two levels down (headers, req.headers, order.customer), and inside arrays', () => {
    const line = {
      headers: { Signature: SECRET, authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      req: { headers: { signature: SECRET, Authorization: SECRET } },
      order: { customer: { name: 'Ani', phone: '+628123456789' }, statusToken: SECRET },
      config: { secretKey: SECRET, dokuSecretKey: SECRET, merchantApiKey: SECRET },
      answers: [{ status_token: SECRET }, { token: SECRET }],
    };
    assert.deepEqual(redactForLog(line), {
      headers: { Signature: CENSOR, authorization: CENSOR, 'content-type': 'application/json' },
      req: { headers: { signature: CENSOR, Authorization: CENSOR } },
      order: { customer: { name: 'Ani', phone: CENSOR }, statusToken: CENSOR },
      config: { secretKey: CENSOR, dokuSecretKey: CENSOR, merchantApiKey: CENSOR },
      answers: [{ status_token: CENSOR }, { token: CENSOR }],
    });
  });

  it('passes an object with nothing to censor on as it is (no copy), and never changes its input', () => {
    const clean = { invoice: 'INV-1', from: 'PENDING', to: 'SUCCESS', nested: { amount: 25_000 } };
    assert.equal(redactForLog(clean), clean);
    const dirty = { invoice: 'INV-1', nested: { signature: SECRET }, other: { a: 1 } };
    const out = redactForLog(dirty);
    assert.equal(dirty.nested.signature, SECRET, 'the caller keeps its object');
    assert.equal(out.other, dirty.other, 'only the path to a censored value is copied');
  });

  it('keeps an error an error: its class, message and stack survive a censored property', () => {
    const err = Object.assign(new TypeError('DOKU refused'), { signature: SECRET });
    const out = redactForLog({ err }).err;
    assert.ok(out instanceof TypeError);
    assert.equal(out.message, 'DOKU refused');
    assert.equal(out.stack, err.stack);
    assert.equal(out.signature, CENSOR);
  });

  it('through the logger: lines and child bindings carry the censor, never the secret', () => {
    const { log, lines, text } = capturingLogger('info');
    const child = log.child({ reqId: 'r-1', token: SECRET });
    child.info({ headers: { authorization: SECRET }, order: { customer: { phone: '+628123456789' } } }, 'seen');
    child.error({ err: Object.assign(new Error('boom'), { secretKey: SECRET }) }, 'failed');
    child.child({ headers: { signature: SECRET } }).warn('grandchild');
    assert.equal(lines.length, 3);
    assert.ok(!text().includes(SECRET) && !text().includes('+628123456789'), text());
    const [seen, failed, grandchild] = lines.map((l) => JSON.parse(l) as Line);
    assert.equal(seen.token, CENSOR);
    assert.equal(seen.reqId, 'r-1');
    assert.equal(seen.headers.authorization, CENSOR);
    assert.equal(seen.order.customer.phone, CENSOR);
    assert.equal(failed.err.message, 'boom');
    assert.equal(failed.err.secretKey, CENSOR);
    assert.equal(grandchild.headers.signature, CENSOR);
    assert.equal(grandchild.token, CENSOR);
  });
});
