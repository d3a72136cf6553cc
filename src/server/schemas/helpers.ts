// Small TypeBox helpers: string enums that document as `enum` (not anyOf-of-consts), references
// to shared schemas that keep their static type, and a compile-time check that a schema
// describes exactly the TypeScript type it stands for.

import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

export function StringEnum<const T extends string>(values: readonly T[], options: { description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** A `$ref` to a schema registered with `app.addSchema`, typed as the schema it points to. */
export function Ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (!schema.$id) throw new Error('Ref needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** `true` when A and B are mutually assignable; used as `const _: Same<…> = true`. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
