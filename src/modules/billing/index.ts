export { BillingModule } from './billing.module.js';
export { AI_CREDIT_ALLOWANCE, AiCredits } from './state/ai-credits.service.js';
