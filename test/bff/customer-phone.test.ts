// The customer's phone: each Indonesian form the page may send is normalised to DOKU's 08… form before
// it reaches DOKU and the order; anything else is a 400 naming customer.phone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { normaliseIndonesianPhone } from '../../shared/phone.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';

const ACCEPTED: Array<[string, string]> = [
  ['081234567890', '081234567890'],
  ['0812-3456-7890', '081234567890'],
  ['0812 3456 7890', '081234567890'],
  ['0812.3456.7890', '081234567890'],
  ['+6281234567890', '081234567890'],
  ['+62 812-3456-7890', '081234567890'],
  ['6281234567890', '081234567890'],
  ['62 812 3456 7890', '081234567890'],
  ['0812345678', '0812345678'], // 10 digits: the shortest
  ['+62 812 3456 7890 1234', '0812345678901234'], // 16: the longest DOKU takes
];
const REFUSED = [
  '',
  '0812345', // too short
  '081234567', // 9 digits
  '+62 812 3456 7890 12345', // 17 once normalised
  '021 555 0100', // a Jakarta landline, not a mobile number
  '+1 415 555 0100',
  '+62 21 555 0100',
  '812 3456 7890', // no 0, 62 or +62
  '0812-3456-789O', // a letter O
  '(0812) 3456 7890',
  '0812_3456_7890',
  '+62+81234567890',
  '0812\t3456\t7890',
];

describe('normaliseIndonesianPhone', () => {
  for (const [raw, expected] of ACCEPTED)
    it(`${JSON.stringify(raw)} -> ${expected}`, () => assert.equal(normaliseIndonesianPhone(raw), expected));
  for (const raw of REFUSED)
    it(`refuses ${JSON.stringify(raw)}`, () => assert.equal(normaliseIndonesianPhone(raw), null));
});

describe('POST /api/payments with customer.phone', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());
  const post = (phone: string) =>
    request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'es-teh-manis', quantity: 1 }], customer: { name: 'Budi', phone } });

  it('sends each accepted form to DOKU, and keeps it on the order, as 08… digits', async () => {
    for (const [raw, expected] of ACCEPTED) {
      const res = await post(raw);
      assert.equal(res.status, 201, `${raw}: ${JSON.stringify(res.body)}`);
      const sent = bff.simulator!.payment(res.body.invoice_number)!.request.customer;
      assert.deepEqual(sent, { name: 'Budi', phone: expected }, raw);
      assert.deepEqual((await bff.store.getOrder(res.body.invoice_number))!.customer, {
        name: 'Budi',
        phone: expected,
      });
    }
  });

  it('refuses anything else with 400 invalid_request naming customer.phone, before DOKU is asked', async () => {
    const before = bff.simulator!.payments().length;
    for (const raw of [...REFUSED, '0'.repeat(40)]) {
      const res = await post(raw);
      assert.equal(res.status, 400, raw);
      assert.equal(res.body.error.code, 'invalid_request');
      assert.ok(
        (res.body.error.details as Array<{ path: string }>).some((d) => d.path === 'customer.phone'),
        JSON.stringify(res.body),
      );
      assert.match(res.body.error.message, /customer\.phone/);
    }
    assert.equal(bff.simulator!.payments().length, before);
  });
});
