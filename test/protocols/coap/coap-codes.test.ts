import assert from 'node:assert/strict';
import {
  CoapCode,
  code,
  codeClass,
  codeDetail,
  codeKind,
  codeName,
  describeCode,
  formatCode,
  isEmpty,
  isRequest,
  isReservedClass,
  isResponse,
  parseCode,
} from '../../../protocols/coap/coap-codes.js';

describe('CoAP codes', () => {
  it('formats class.detail with two detail digits', () => {
    assert.equal(formatCode(0x45), '2.05');
    assert.equal(formatCode(0x5f), '2.31');
    assert.equal(formatCode(0x00), '0.00');
    assert.equal(formatCode(0xa5), '5.05');
    assert.equal(formatCode(0xff), '7.31');
  });

  it('parses "c.dd" back, and refuses what is not a code', () => {
    for (let c = 0; c < 256; c++) assert.equal(parseCode(formatCode(c)), c);
    for (const bad of ['2.5', '8.00', '2.32', '2-05', ' 2.05', '']) assert.equal(parseCode(bad), undefined, bad);
  });

  it('splits and builds class and detail', () => {
    assert.equal(codeClass(0x84), 4);
    assert.equal(codeDetail(0x84), 4);
    assert.equal(code(4, 4), 0x84);
  });

  it('names every registered code', () => {
    const expected: [string, string][] = [
      ['0.00', 'Empty'], ['0.01', 'GET'], ['0.02', 'POST'], ['0.03', 'PUT'], ['0.04', 'DELETE'], ['0.05', 'FETCH'], ['0.06', 'PATCH'], ['0.07', 'iPATCH'],
      ['2.01', 'Created'], ['2.02', 'Deleted'], ['2.03', 'Valid'], ['2.04', 'Changed'], ['2.05', 'Content'], ['2.31', 'Continue'],
      ['4.00', 'Bad Request'], ['4.01', 'Unauthorized'], ['4.02', 'Bad Option'], ['4.03', 'Forbidden'], ['4.04', 'Not Found'],
      ['4.05', 'Method Not Allowed'], ['4.06', 'Not Acceptable'], ['4.08', 'Request Entity Incomplete'], ['4.09', 'Conflict'],
      ['4.12', 'Precondition Failed'], ['4.13', 'Request Entity Too Large'], ['4.15', 'Unsupported Content-Format'],
      ['4.22', 'Unprocessable Entity'], ['4.29', 'Too Many Requests'],
      ['5.00', 'Internal Server Error'], ['5.01', 'Not Implemented'], ['5.02', 'Bad Gateway'], ['5.03', 'Service Unavailable'],
      ['5.04', 'Gateway Timeout'], ['5.05', 'Proxying Not Supported'], ['5.08', 'Hop Limit Reached'],
    ];
    for (const [text, name] of expected) assert.equal(codeName(parseCode(text)!), name, text);
    assert.equal(Object.keys(CoapCode).length, expected.length);
    assert.equal(codeName(0x45), 'Content');
    assert.equal(codeName(0x47), undefined);
    assert.equal(describeCode(0x47), '2.07 (unregistered)');
    assert.equal(describeCode(CoapCode.NOT_FOUND), '4.04 Not Found');
  });

  it('classifies by class: empty, request, response, reserved (1, 6, 7)', () => {
    assert.equal(codeKind(0), 'empty');
    assert.ok(isEmpty(0) && !isRequest(0) && !isResponse(0));
    assert.ok(isRequest(CoapCode.GET) && isRequest(code(0, 31)));
    for (const cls of [2, 4, 5]) assert.ok(isResponse(code(cls, 7)) && codeKind(code(cls, 0)) === 'response');
    for (const cls of [1, 6, 7]) assert.ok(isReservedClass(code(cls, 1)) && !isResponse(code(cls, 1)) && !isRequest(code(cls, 1)));
  });
});
