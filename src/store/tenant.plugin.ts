/**
 * Tenancy by construction: every query and write on a tenant collection must name its
 * workspace. The scoped collections always do; this plugin makes forgetting impossible by
 * refusing any query whose filter lacks a string `workspaceId`.
 */
import type { Schema } from 'mongoose';

export class UnscopedQueryError extends Error {
  readonly code = 'UNSCOPED_QUERY';
  constructor(model: string, op: string) {
    super(`refused ${op} on ${model}: the filter does not name a workspace`);
  }
}

const queryOps = [
  'find', 'findOne', 'countDocuments', 'updateOne', 'updateMany', 'findOneAndUpdate',
  'deleteOne', 'deleteMany', 'findOneAndDelete', 'replaceOne', 'findOneAndReplace',
] as const;

export function tenantPlugin(schema: Schema): void {
  for (const op of queryOps) {
    schema.pre(op, function () {
      const filter = this.getFilter() as { workspaceId?: unknown };
      if (typeof filter.workspaceId !== 'string' || filter.workspaceId === '') {
        throw new UnscopedQueryError(this.model.modelName, op);
      }
    });
  }
  schema.pre('validate', function () {
    const ws = (this as unknown as { workspaceId?: unknown }).workspaceId;
    if (typeof ws !== 'string' || ws === '') throw new UnscopedQueryError('document', 'save');
  });
  schema.pre('aggregate', function () {
    const first = this.pipeline()[0] as { $match?: { workspaceId?: unknown } } | undefined;
    if (typeof first?.$match?.workspaceId !== 'string') throw new UnscopedQueryError('aggregate', 'aggregate');
  });
}
