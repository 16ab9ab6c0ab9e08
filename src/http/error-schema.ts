import { Type } from '@sinclair/typebox';

/** The error body in OpenAPI. */
export const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});
