export { ContentModule } from './content.module.js';
export { PostsService } from './posts/posts.service.js';
export { PostEntity } from './posts/post.entity.js';
export { type PurchasableFacts } from './posts/posts.service.js';
export {
  type EntitlementGrant,
  PostEntitlements,
} from './entitlements/post-entitlements.service.js';
