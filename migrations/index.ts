// Every migration, in order. `npm run migration:generate` appends to this list.
// (Listed rather than globbed so the same classes load under node and under the test runner.)
export * from './1795835126760-AccessLayer.js';
export * from './1795838073698-ContentPostsAndPlaces.js';
export * from './1795838673265-ContentArtifacts.js';
export * from './1795867168122-PostSearchVector.js';
export * from './1795886718037-AccountNotificationSettings.js';
export * from './1795886848777-Memberships.js';
export * from './1795886976027-SharingReferralPathsAndQrCodes.js';
export * from './1795893135287-DomainEventOutbox.js';
export * from './1795893386152-WebhookEndpointsAndDeliveries.js';
export * from './1795893561272-WorkspaceSessionsBindingsRulesRuns.js';
export * from './1795893947157-AgentTokenRotationAndScopeUsage.js';
export * from './1795893612519-ContentPostEntitlements.js';
export * from './1795895584249-BillingTables.js';
export * from './1795906905490-TokenPolicyAndStaleWarnings.js';
export * from './1795907169934-TokenMailAndExpiryNotices.js';
export * from './1795906940156-TokenConstraintsAndChildren.js';
