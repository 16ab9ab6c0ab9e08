import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { OptionalKind } from '@sinclair/typebox';

// @fastify/swagger documents every route body as required. A few routes take none at all (spec 001's
// POST /frontoffice/api/key lists keys when it has no body; a roll without one has no grace period):
// their body schema is wrapped in TypeBox's Optional, and these two hooks turn that into
// `requestBody.required: false`. Registered in app.ts as the swagger `transform` / `transformObject`.

const MARK = 'x-keygate-optional-body';

/** Per route: marks the operation when its body schema is Optional (the mark travels as an `x-` key). */
export const markOptionalBody: SwaggerTransform = ({ schema, url }) => {
  const body = (schema as { body?: Record<PropertyKey, unknown> } | undefined)?.body;
  if (body?.[OptionalKind] !== 'Optional') return { schema, url };
  return { schema: { ...schema, [MARK]: true }, url };
};

/** On the finished document: marked operations get `requestBody.required: false`, and the mark goes. */
export const applyOptionalBodies: SwaggerTransformObject = (document) => {
  const paths = ('openapiObject' in document ? document.openapiObject.paths : document.swaggerObject.paths) ?? {};
  for (const operations of Object.values(paths) as Array<Record<string, unknown>>) {
    for (const operation of Object.values(operations ?? {}) as Array<Record<string, unknown> | undefined>) {
      if (!operation || typeof operation !== 'object' || !(MARK in operation)) continue;
      delete operation[MARK];
      const requestBody = operation.requestBody as { required?: boolean } | undefined;
      if (requestBody) requestBody.required = false;
    }
  }
  return 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
};
