import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Role } from "../context";

export enum CallerRole {
  ANONYMOUS = "anonymous",
  PARTNER = "partner",
  ANALYST = "analyst",
  ADMIN = "admin",
}
registerEnumType(CallerRole, {
  name: "CallerRole",
  description:
    "ANONYMOUS: public data only; PARTNER: public data, its own datasets and those shared with it; ANALYST: everything but partners' private and embargoed data; ADMIN: everything, and keys, visibility and the audit.",
});

export const roleEnum = (role: Role): CallerRole => role as CallerRole;

@ObjectType({ description: "The API key a request presented (never its secret)." })
export class ViewerKey {
  @Field(() => String, { description: "Public id of the key (the part after hub_)." })
  id!: string;
  @Field(() => String, { description: "Name given at creation." })
  name!: string;
  @Field(() => DateTimeResolver, { nullable: true, description: "When it stops working, if ever." })
  expiresAt!: Date | null;
}

@ObjectType({ description: "Who the hub takes the caller for." })
export class Viewer {
  @Field(() => CallerRole, { description: "Its role." })
  role!: CallerRole;
  partnerCode!: string | null;
  @Field(() => ViewerKey, { nullable: true, description: "Its key; null for anonymous callers." })
  key!: ViewerKey | null;
}

@ObjectType({ description: "An API key as admins see it: everything but the secret, which is never stored." })
export class ApiKey {
  @Field(() => String, { description: "Public id." })
  id!: string;
  @Field(() => String, { description: "Name." })
  name!: string;
  @Field(() => CallerRole, { description: "Role it grants." })
  role!: CallerRole;
  @Field(() => String, { nullable: true, description: "Partner it speaks for (partner keys)." })
  partnerCode!: string | null;
  @Field(() => DateTimeResolver, { description: "Created." })
  createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true, description: "Expiry." })
  expiresAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: "Last used (to the minute)." })
  lastUsedAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: "Revoked." })
  revokedAt!: Date | null;
  @Field(() => String, { nullable: true, description: "The key it replaced (rotation)." })
  replacesId!: string | null;
}

@ObjectType({ description: "A new key and its token: the only time the token is ever shown." })
export class CreatedApiKey {
  @Field(() => ApiKey, { description: "The key." })
  key!: ApiKey;
  @Field(() => String, { description: "The token to send as Authorization: Bearer <token>. Store it now." })
  token!: string;
}

@ObjectType({ description: "One entry of the audit trail." })
export class AuditEntry {
  @Field(() => Int, { description: "Id." })
  id!: number;
  @Field(() => DateTimeResolver, { description: "When." })
  at!: Date;
  @Field(() => String, {
    description: "request (a keyed request), write (a submission), admin (keys, visibility).",
  })
  kind!: string;
  @Field(() => String, { nullable: true, description: "Key id." })
  keyId!: string | null;
  @Field(() => String, { description: "Role of the caller." })
  role!: string;
  @Field(() => String, { nullable: true, description: "Partner of the caller." })
  partnerCode!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Route and GraphQL operation name, or the change made.",
  })
  operation!: string | null;
  @Field(() => Int, { nullable: true, description: "Duration in milliseconds." })
  durationMs!: number | null;
  @Field(() => String, { description: "ok, or the error codes the caller received." })
  outcome!: string;
  @Field(() => JSONObjectResolver, { description: "What was written: file hash, rows inserted and revised…" })
  detail!: Record<string, unknown>;
}
