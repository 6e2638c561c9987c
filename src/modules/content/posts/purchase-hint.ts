/**
 * What a viewer who may see a priced post but not read it is told: how to buy it. Content names
 * the Billing route by its catalog id and path only (a string, no import), so the dependency
 * still points from Billing to Content.
 */
export const PURCHASE_HINT = {
  endpoint: 'billing.checkout_links.create',
  method: 'POST',
  path: '/api/billing/checkout-links',
} as const;

export type PurchaseHint = typeof PURCHASE_HINT;
