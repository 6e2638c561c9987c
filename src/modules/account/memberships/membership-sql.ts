/**
 * The membership lookup other modules put in their own SQL (Content's audience-tag visibility),
 * so they never name Account's table. A pure function: the expressions are SQL the caller owns.
 *
 * `creatorId`, `viewerId` and `tags` are SQL expressions (a column, a placeholder): true when the
 * viewer is a member of the creator holding at least one of `tags` (a text[]). It probes the
 * memberships primary key (creator_id, member_id), one index lookup per row it is asked about.
 */
export function memberHoldsAnyTagSql(creatorId: string, viewerId: string, tags: string): string {
  return `EXISTS (SELECT 1 FROM memberships m WHERE m.creator_id = ${creatorId} AND m.member_id = ${viewerId} AND m.tags && ${tags})`;
}
