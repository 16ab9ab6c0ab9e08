import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldPath, MAX_LISTED_FIELDS, validationMessage, type SchemaError } from '../../src/http/validation-message.ts';

// The HTTP tests (status-400, profile-frontoffice) cover the messages real schemas produce; these pin the
// parts real schemas rarely reach: paths, the cap on listed fields, and choosing among union branches.

const error = (keyword: string, instancePath: string, schemaPath: string, params: Record<string, unknown>, extra: Partial<SchemaError> = {}): SchemaError => ({
  keyword,
  instancePath,
  schemaPath,
  params,
  ...extra,
});

describe('validation messages', () => {
  it('names fields as the API does', () => {
    assert.equal(fieldPath(''), '');
    assert.equal(fieldPath('', 'name'), 'name');
    assert.equal(fieldPath('/permissions/1'), 'permissions[1]');
    assert.equal(fieldPath('/request/headers', 'x~1y'), 'request.headers.x~1y');
    assert.equal(fieldPath('/a~1b/0/c'), 'a/b[0].c');
  });

  it('lists every missing required field of the object, capped', () => {
    const names = Array.from({ length: MAX_LISTED_FIELDS + 3 }, (_, i) => `f${i}`);
    const result = validationMessage([error('required', '', '#/required', { missingProperty: 'f0' }, { schema: names, data: {} })]);
    assert.equal(result.field, 'f0');
    assert.equal(result.message, `missing required fields: ${names.slice(0, MAX_LISTED_FIELDS).join(', ')} and 3 more`);
    const one = validationMessage([error('required', '/request', '#/properties/request/required', { missingProperty: 'url' }, { schema: ['method', 'url'], data: { method: 'GET' } })]);
    assert.deepEqual(one, { message: 'request.url is required', field: 'request.url' });
    // Without verbose data it still names the one AJV reported.
    assert.deepEqual(validationMessage([error('required', '', '#/required', { missingProperty: 'name' })]), { message: 'name is required', field: 'name' });
  });

  it('says what a union accepts when the value fits none of its kinds', () => {
    const union = [
      error('type', '/v', '#/properties/v/anyOf/0/type', { type: 'string' }),
      error('type', '/v', '#/properties/v/anyOf/1/type', { type: 'integer' }),
      error('anyOf', '/v', '#/properties/v/anyOf', {}),
    ];
    assert.deepEqual(validationMessage(union), { message: 'v must be a text or a whole number', field: 'v' });
  });

  it('explains the union branch the value was meant for', () => {
    const data = { name: 'x' };
    const branches = [{ type: 'object', properties: {} }, { type: 'object', properties: { name: {}, flag: {} } }];
    const errors = [
      error('additionalProperties', '', '#/anyOf/0/additionalProperties', { additionalProperty: 'name' }),
      error('required', '', '#/anyOf/1/required', { missingProperty: 'flag' }, { schema: ['name', 'flag'], data }),
      error('anyOf', '', '#/anyOf', {}, { schema: branches, data }),
    ];
    assert.deepEqual(validationMessage(errors), { message: 'flag is required', field: 'flag' });
    // The deeper failure wins over a shallow one.
    const deeper = [
      error('additionalProperties', '', '#/anyOf/0/additionalProperties', { additionalProperty: 'list' }),
      error('type', '/list/0', '#/anyOf/1/properties/list/items/type', { type: 'string' }),
      error('anyOf', '', '#/anyOf', {}, { schema: branches, data: { list: [1] } }),
    ];
    assert.deepEqual(validationMessage(deeper), { message: 'list[0] must be a text', field: 'list[0]' });
  });

  it('describes the request part itself when the error is about all of it', () => {
    assert.deepEqual(validationMessage([error('type', '', '#/type', { type: 'object' })], 'body'), { message: 'the request body must be a JSON object' });
    assert.deepEqual(validationMessage([error('type', '', '#/type', { type: 'object' })], 'querystring'), { message: 'the query string must be an object', field: undefined });
  });
});
