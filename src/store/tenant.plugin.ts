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

/**
 * A filter names its workspaces: one, or (for background reads over several workspaces at
 * once, such as the nudge worker's) an explicit `$in` list of them, and nothing else.
 */
function namesWorkspaces(ws: unknown): boolean {
  if (typeof ws === 'string') return ws !== '';
  if (typeof ws !== 'object' || ws === null) return false;
  const keys = Object.keys(ws);
  const list = (ws as { $in?: unknown }).$in;
  return keys.length === 1 && keys[0] === '$in' && Array.isArray(list) && list.length > 0 && list.every((w) => typeof w === 'string' && w !== '');
}

export function tenantPlugin(schema: Schema): void {
  for (const op of queryOps) {
    schema.pre(op, function () {
      const filter = this.getFilter() as { workspaceId?: unknown };
      if (!namesWorkspaces(filter.workspaceId)) throw new UnscopedQueryError(this.model.modelName, op);
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
