import { desc, eq } from "drizzle-orm";
import { DateTimeResolver } from "graphql-scalars";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  Mutation,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import { auditKinds, auditLog, type KeyRole } from "../../../schema/access";
import { type Visibility, visibilities } from "../../../schema/common";
import { recordAudit } from "../../access/audit";
import { datasetToChange, setReach } from "../../access/datasets";
import {
  type ApiKeyRow,
  createKey,
  KeyRequestError,
  listKeys,
  revokeKey,
  rotateKey,
} from "../../access/keys";
import { BadUserInputError, ForbiddenError, NotFoundError } from "../../errors";
import { callerOf, type GraphQLContext } from "../context";
import { pageOfTable } from "../links";
import { Connection, PageArgs } from "../pagination";
import { datasetByCode, partnerByCode } from "../partner/partner.loaders";
import { Dataset, Partner } from "../partner/partner.type";
import { ApiKey, AuditEntry, CallerRole, CreatedApiKey, roleEnum, Viewer } from "./access.type";

const AuditConnection = Connection(AuditEntry, "AuditEntry", "A page of the audit trail, newest first.");

function requireAdmin(ctx: GraphQLContext): void {
  if (callerOf(ctx).role !== "admin")
    throw new ForbiddenError("only an admin key may do this: send Authorization: Bearer <admin key>");
}

const toApiKey = (k: ApiKeyRow): ApiKey => ({ ...k, role: roleEnum(k.role) });

function keyRequest<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    if (error instanceof KeyRequestError) throw new BadUserInputError(error.message);
    throw error;
  });
}

@ArgsType()
class AuditArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only entries of this key." })
  key?: string;
  @Field(() => String, { nullable: true, description: `Only this kind: ${auditKinds.join(", ")}.` })
  kind?: string;
}

function visibilityArg(v: string): Visibility {
  if (!(visibilities as readonly string[]).includes(v))
    throw new BadUserInputError(`visibility: "${v}" is not one of ${visibilities.join(", ")}`, {
      argument: "visibility",
    });
  return v as Visibility;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: "Who the hub takes the caller for: its role, partner and key." })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    const c = callerOf(ctx);
    return {
      role: roleEnum(c.role),
      partnerCode: c.partnerCode ?? null,
      key: c.keyId ? { id: c.keyId, name: c.keyName ?? "", expiresAt: c.keyExpiresAt ?? null } : null,
    };
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The partner it speaks for (partner keys)." })
  partner(@Root() v: Viewer, @Ctx() ctx: GraphQLContext) {
    return v.partnerCode ? partnerByCode(ctx).load(v.partnerCode) : null;
  }
}

@Resolver()
export class AccessResolver {
  @Query(() => [ApiKey], { description: "Every API key (admins only)." })
  async apiKeys(@Ctx() ctx: GraphQLContext) {
    requireAdmin(ctx);
    return (await listKeys(ctx.db)).map(toApiKey);
  }

  @Query(() => AuditConnection, { description: "The audit trail, newest first (admins only)." })
  auditLog(@Ctx() ctx: GraphQLContext, @Args(() => AuditArgs) args: AuditArgs) {
    requireAdmin(ctx);
    const where = args.key
      ? eq(auditLog.keyId, args.key)
      : args.kind
        ? eq(auditLog.kind, args.kind as "request")
        : undefined;
    return pageOfTable(ctx, auditLog, where, [desc(auditLog.at), desc(auditLog.id)], args);
  }

  @Mutation(() => CreatedApiKey, {
    description: "Creates an API key (admins only); its token is in the answer only.",
  })
  async createApiKey(
    @Ctx() ctx: GraphQLContext,
    @Arg("name", () => String, { description: "Who or what uses it." }) name: string,
    @Arg("role", () => CallerRole, { description: "PARTNER, ANALYST or ADMIN." }) role: CallerRole,
    @Arg("partner", () => String, { nullable: true, description: "The partner (PARTNER keys)." })
    partner?: string,
    @Arg("expiresAt", () => DateTimeResolver, { nullable: true, description: "When it stops working." })
    expiresAt?: Date,
  ) {
    requireAdmin(ctx);
    if (role === CallerRole.ANONYMOUS) throw new BadUserInputError("anonymous callers need no key");
    const created = await keyRequest(() =>
      createKey(ctx.db, {
        name,
        role: role as KeyRole,
        partnerCode: partner ?? null,
        expiresAt: expiresAt ?? null,
      }),
    );
    await this.audit(ctx, "createApiKey", { keyId: created.key.id, role, partner });
    return { key: toApiKey(created.key), token: created.token };
  }

  @Mutation(() => ApiKey, { description: "Revokes an API key at once (admins only)." })
  async revokeApiKey(
    @Ctx() ctx: GraphQLContext,
    @Arg("id", () => String, { description: "Key id." }) id: string,
  ) {
    requireAdmin(ctx);
    const key = await revokeKey(ctx.db, id);
    if (!key) throw new NotFoundError("API key", id, "list them with { apiKeys { id name } }");
    await this.audit(ctx, "revokeApiKey", { keyId: id });
    return toApiKey(key);
  }

  @Mutation(() => CreatedApiKey, {
    description:
      "Replaces an API key by a new one with the same name, role and partner, revoking the old one (admins only).",
  })
  async rotateApiKey(
    @Ctx() ctx: GraphQLContext,
    @Arg("id", () => String, { description: "Key id." }) id: string,
  ) {
    requireAdmin(ctx);
    const rotated = await keyRequest(() => rotateKey(ctx.db, id));
    if (!rotated) throw new NotFoundError("API key", id, "list them with { apiKeys { id name } }");
    await this.audit(ctx, "rotateApiKey", { keyId: rotated.key.id, replaces: id });
    return { key: toApiKey(rotated.key), token: rotated.token };
  }

  @Mutation(() => Dataset, {
    description:
      "Sets who sees a dataset: PUBLIC, RESTRICTED (to sharedWith partners, plus analysts) or PRIVATE (its owner), with an optional embargo. Its owner or an admin.",
  })
  async setDatasetVisibility(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Dataset code." }) code: string,
    @Arg("visibility", () => String, { description: "public, restricted or private." }) visibility: string,
    @Arg("sharedWith", () => [String], { nullable: true, description: "Partner codes (restricted)." })
    sharedWith?: string[],
    @Arg("embargoUntil", () => DateTimeResolver, {
      nullable: true,
      description: "Until then only the owner and admins see it; null lifts an embargo.",
    })
    embargoUntil?: Date | null,
  ) {
    const v = visibilityArg(visibility);
    const visible = (await datasetByCode(ctx).load(code)) !== null;
    const row = await datasetToChange(ctx.db, callerOf(ctx), code, visible);
    return setReach(ctx.db, callerOf(ctx), row, {
      visibility: v,
      sharedWith,
      embargoUntil: embargoUntil ?? null,
    });
  }

  @Mutation(() => Dataset, {
    description:
      "Publishes a dataset (public), optionally from a date on (an embargo until then). Its owner or an admin.",
  })
  async publishDataset(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Dataset code." }) code: string,
    @Arg("embargoUntil", () => DateTimeResolver, {
      nullable: true,
      description: "Public from this instant on.",
    })
    embargoUntil?: Date,
  ) {
    const visible = (await datasetByCode(ctx).load(code)) !== null;
    const row = await datasetToChange(ctx.db, callerOf(ctx), code, visible);
    return setReach(ctx.db, callerOf(ctx), row, { visibility: "public", embargoUntil: embargoUntil ?? null });
  }

  private audit(ctx: GraphQLContext, operation: string, detail: Record<string, unknown>) {
    const c = callerOf(ctx);
    return recordAudit(ctx.db, {
      kind: "admin",
      keyId: c.keyId,
      role: c.role,
      partnerCode: c.partnerCode,
      operation,
      outcome: "ok",
      detail,
    });
  }
}
