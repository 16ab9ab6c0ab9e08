// Turns the JSON-schema errors of a route's input (AJV's, e.g. `body.name must NOT have fewer than 1
// characters`) into what a person would say: "name is required", naming the field as the API calls it.
//
// AJV runs with allErrors off: collecting every error is a denial-of-service lever (a 1 MB body of
// `[{},{},…]` makes 340,000 error objects, about 440 ms and 70 MB per request), so validation stops at
// the first failing keyword. `verbose` errors carry the schema and the data, which is enough to list
// every missing required field of that object at once without validating further.

/** One AJV error as Fastify hands it over (`verbose` adds schema, parentSchema and data). */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly schema?: unknown;
  readonly parentSchema?: Record<string, unknown>;
  readonly data?: unknown;
}

/** What the 400 says: a sentence, and the field it is about (API notation: `permissions[1]`, `request.method`). */
export interface ValidationMessage {
  readonly message: string;
  readonly field?: string;
}

/** At most this many names in one message; the rest are counted. */
export const MAX_LISTED_FIELDS = 10;

const SUBJECT: Record<string, string> = { body: 'the request body', querystring: 'the query string', params: 'the path', headers: 'the headers' };

const TYPE_NAME: Record<string, string> = {
  string: 'a text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const FORMAT_NAME: Record<string, string> = {
  'date-time': 'an ISO 8601 date-time (e.g. 2027-01-31T23:59:59Z)',
  date: 'a date (YYYY-MM-DD)',
  uuid: 'a UUID',
  email: 'an e-mail address',
  uri: 'a URL',
};

const NOT_AN_OBJECT = 'the request body must be a JSON object';

// Keywords that say "this value is not of this kind at all", as opposed to "right kind, wrong content".
const KIND_KEYWORDS = new Set(['type', 'const', 'enum', 'format']);

/** The human message and field for a failed schema validation of one request part (body, querystring, params, headers). */
export function validationMessage(errors: readonly SchemaError[], context = 'body'): ValidationMessage {
  if (errors.length === 0) return { message: `${SUBJECT[context] ?? context} is invalid` };
  return explain(errors, context);
}

/** Explains the error that decided the outcome: the last one (a union's own error follows its branches'). */
function explain(errors: readonly SchemaError[], context: string): ValidationMessage {
  const decisive = errors[errors.length - 1];
  if (decisive.keyword === 'anyOf' || decisive.keyword === 'oneOf') return explainUnion(decisive, errors.slice(0, -1), context);
  return explainOne(decisive, context);
}

/** "a" / "a or b" / "a, b or c". */
function alternatives(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A capped, comma-separated list of names. */
function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED_FIELDS).join(', ');
  return names.length > MAX_LISTED_FIELDS ? `${shown} and ${names.length - MAX_LISTED_FIELDS} more` : shown;
}

/** JSON pointer (`/permissions/1`, `/request/method`) to API notation (`permissions[1]`, `request.method`). */
export function fieldPath(instancePath: string, property?: string): string {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (property !== undefined) segments.push(property);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function typeName(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return alternatives(types.map((t) => TYPE_NAME[String(t)] ?? String(t)));
}

function formatName(format: unknown): string {
  return FORMAT_NAME[String(format)] ?? `a valid ${String(format)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What one branch of a union expects, when the value was not of that kind ("a whole number", "null", "basic"). */
function expectedKind(error: SchemaError): string[] {
  if (error.keyword === 'type') return [typeName(error.params.type)];
  if (error.keyword === 'format') return [formatName(error.params.format)];
  if (error.keyword === 'const') return [display(error.params.allowedValue)];
  if (error.keyword === 'enum') return ((error.params.allowedValues as unknown[]) ?? []).map(display);
  return [];
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A union (TypeBox Union → anyOf) failed. When the value fits none of its kinds, say what it may be
 * ("tier must be one of basic, premium, enterprise"); otherwise explain the branch it was meant for:
 * the one that got deepest into the value, then the one that knows most of the object's fields.
 */
function explainUnion(union: SchemaError, inner: readonly SchemaError[], context: string): ValidationMessage {
  const prefix = `${union.schemaPath}/`;
  const branches = new Map<number, SchemaError[]>();
  for (const error of inner) {
    if (!error.schemaPath.startsWith(prefix)) continue;
    const index = Number(error.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(index, [...(branches.get(index) ?? []), error]);
  }
  const field = fieldPath(union.instancePath) || undefined;
  const subject = field ?? SUBJECT[context] ?? context;
  if (union.keyword === 'oneOf' && Array.isArray(union.params.passingSchemas)) return { message: `${subject} matches more than one of its allowed forms`, field };

  const decided = [...branches.entries()].map(([index, errors]) => ({ index, errors, last: errors[errors.length - 1] }));
  const wrongKind = (b: (typeof decided)[number]) => KIND_KEYWORDS.has(b.last.keyword) && b.last.instancePath === union.instancePath;
  const meant = decided.filter((b) => !wrongKind(b));
  if (meant.length === 0) {
    const kinds = [...new Set(decided.flatMap((b) => expectedKind(b.last)))];
    if (decided.every((b) => b.last.keyword === 'const' || b.last.keyword === 'enum')) return { message: `${subject} must be one of ${kinds.join(', ')}`, field };
    if (!field && context === 'body' && kinds.length === 1 && kinds[0] === TYPE_NAME.object) return { message: NOT_AN_OBJECT };
    return { message: `${subject} must be ${alternatives(kinds)}`, field };
  }
  const depth = (b: (typeof decided)[number]) => (b.last.instancePath.match(/\//g) ?? []).length;
  const known = (b: (typeof decided)[number]) => knownFields(Array.isArray(union.schema) ? union.schema[b.index] : undefined, union.data);
  const best = meant.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && known(b) > known(a)) ? b : a));
  return explain(best.errors, context);
}

/** How many of the object's keys a branch schema declares. */
function knownFields(schema: unknown, data: unknown): number {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || typeof data !== 'object' || data === null) return 0;
  return Object.keys(data).filter((key) => Object.hasOwn(properties, key)).length;
}

/** One keyword's failure, said plainly. */
function explainOne(error: SchemaError, context: string): ValidationMessage {
  const field = fieldPath(error.instancePath) || undefined;
  const subject = field ?? SUBJECT[context] ?? context;
  const p = error.params;
  const parentType = error.parentSchema?.type;
  switch (error.keyword) {
    case 'required': {
      const missing = missingFields(error).map((name) => fieldPath(error.instancePath, name));
      if (missing.length <= 1) {
        const only = missing[0] ?? fieldPath(error.instancePath, String(p.missingProperty));
        return { message: `${only} is required`, field: only };
      }
      return { message: `missing required fields: ${listed(missing)}`, field: missing[0] };
    }
    case 'additionalProperties': {
      const name = fieldPath(error.instancePath, String(p.additionalProperty));
      return { message: `unknown field "${name}"`, field: name };
    }
    case 'type':
      if (!field && p.type === 'object' && context === 'body') return { message: NOT_AN_OBJECT };
      return { message: `${subject} must be ${typeName(p.type)}`, field };
    case 'minLength':
      return { message: p.limit === 1 ? `${subject} is required` : `${subject} must be at least ${plural(Number(p.limit), 'character')}`, field };
    case 'maxLength':
      return { message: `${subject} must be at most ${plural(Number(p.limit), 'character')}`, field };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const kind = parentType === 'integer' ? 'a whole number' : 'a number';
      const bound = { minimum: 'at least', exclusiveMinimum: 'greater than', maximum: 'at most', exclusiveMaximum: 'less than' }[error.keyword];
      return { message: `${subject} must be ${kind} ${error.keyword.startsWith('exclusive') ? '' : 'of '}${bound} ${p.limit}`, field };
    }
    case 'multipleOf':
      return { message: `${subject} must be a multiple of ${p.multipleOf}`, field };
    case 'minItems':
      return { message: `${subject} must have at least ${plural(Number(p.limit), 'entry', 'entries')}`, field };
    case 'maxItems':
      return { message: `${subject} must have at most ${plural(Number(p.limit), 'entry', 'entries')}`, field };
    case 'uniqueItems':
      return { message: `${subject} must not list the same entry twice (entries ${p.j} and ${p.i})`, field };
    case 'minProperties':
      return { message: `${subject} must have at least ${plural(Number(p.limit), 'field')}`, field };
    case 'maxProperties':
      return { message: Number(p.limit) === 0 ? `${subject} must be empty` : `${subject} must have at most ${plural(Number(p.limit), 'field')}`, field };
    case 'pattern': {
      // A schema may say in words what its pattern means (`x-expected`, shown in OpenAPI too).
      const expected = error.parentSchema?.['x-expected'];
      return { message: typeof expected === 'string' ? `${subject} must be ${expected}` : `${subject} is not in the expected format`, field };
    }
    case 'format':
      return { message: `${subject} must be ${formatName(p.format)}`, field };
    case 'const':
      return { message: `${subject} must be ${display(p.allowedValue)}`, field };
    case 'enum':
      return { message: `${subject} must be one of ${((p.allowedValues as unknown[]) ?? []).map(display).join(', ')}`, field };
    default:
      return { message: `${subject} ${error.message ?? 'is invalid'}`, field };
  }
}

/** Every property the failed `required` keyword names that the object lacks (verbose errors carry both). */
function missingFields(error: SchemaError): string[] {
  const required = error.schema;
  const data = error.data;
  if (!Array.isArray(required) || typeof data !== 'object' || data === null) return [];
  return required.filter((name): name is string => typeof name === 'string' && (data as Record<string, unknown>)[name] === undefined);
}
