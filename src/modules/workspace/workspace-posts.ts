import { Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/index.js';
import { PostsService } from '../content/index.js';

/**
 * "Is this your post?" for every workspace route. Another user's post is a 404 whether or not the
 * caller can see it: a workspace is its author's alone, and its existence is not revealed.
 */
@Injectable()
export class WorkspacePosts {
  constructor(private readonly posts: PostsService) {}

  async ownPost(postId: string, userId: string): Promise<{ id: string; authorId: string }> {
    const post = await this.posts.visibleEntity(postId, userId).catch((err: unknown) => {
      if (err instanceof ProblemException && err.code === 'not_found') return null;
      throw err;
    });
    if (!post || post.authorId !== userId) throw ProblemException.notFound('No such post.');
    return { id: post.id, authorId: post.authorId };
  }
}
