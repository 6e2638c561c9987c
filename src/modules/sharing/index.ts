export { SharingModule } from './sharing.module.js';
export {
  type ReferralAttribution,
  ReferralPathsService,
} from './referral-paths/referral-paths.service.js';
export { REFERRAL_COOKIE } from './share-urls.js';
