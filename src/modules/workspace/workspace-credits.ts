/**
 * Whether a user may start something that spends AI credits (a workspace session). Billing owns
 * the balance; until it provides this, `UnlimitedWorkspaceCredits` treats every balance as
 * unlimited. The composition root swaps in Billing's implementation (the balance exhausted beyond
 * its overdraft buffer → false → 402 credits_required).
 */
export abstract class WorkspaceCredits {
  abstract hasCredits(userId: string): Promise<boolean>;
}

export class UnlimitedWorkspaceCredits extends WorkspaceCredits {
  hasCredits(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
