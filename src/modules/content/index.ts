export { ContentModule } from './content.module.js';
export { PostsService } from './posts/posts.service.js';
export { PostEntity } from './posts/post.entity.js';
