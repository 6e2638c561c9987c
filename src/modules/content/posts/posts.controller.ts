import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { PageQueryDto, uuidParam } from '../../../common/index.js';
import {
  CreatePostDto,
  FEED_EXCERPT_LENGTH,
  FeedQueryDto,
  PostDto,
  PostFeedPageDto,
  PostPageDto,
  RequestRevisionDto,
  SetPricingDto,
  UpdatePostDto,
} from './posts.dto.js';
import { PostsService } from './posts.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

@ApiTags('posts')
@HonoursResourcePinning()
@Controller('posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  @RequireScopes('posts:write')
  // not_found: parentPostId names no post the caller can see; purchase_required: a priced
  // post the caller has not bought; resource_not_allowed: a token pinned to selected posts
  // asked for a new top-level post.
  @DeclareErrors('not_found', 'purchase_required', 'resource_not_allowed')
  @ApiOperation({
    operationId: 'posts.create',
    summary: 'Create a post (or, with parentPostId, a reply); status DRAFT or PUBLISHED.',
  })
  @ApiCreatedResponse({ type: PostDto })
  create(@Body() body: CreatePostDto, @CurrentUser() caller: UserPrincipal): Promise<PostDto> {
    return this.posts.create(caller.user.id, body);
  }

  @Get()
  @RequireScopes('posts:read')
  @ApiOperation({
    operationId: 'posts.feed',
    summary: `The feed: published posts you may see, filtered and keyset-paginated (stable while posts arrive). Items carry an excerpt (the first ${FEED_EXCERPT_LENGTH} characters), not the body.`,
    description:
      'bodyTruncated says whether a body goes on past its excerpt; GET /api/posts/{postId} gives one whole post, include=body every body on the page.',
  })
  @ApiOkResponse({ type: PostFeedPageDto })
  // The service hands back the page as finished JSON text; Express sends a string as it is.
  @Header('Content-Type', 'application/json; charset=utf-8')
  feed(@Query() query: FeedQueryDto, @CurrentUser() caller: UserPrincipal): Promise<string> {
    return this.posts.feedJson(caller.user.id, query);
  }

  @Get(':postId')
  @RequireScopes('posts:read')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'posts.get',
    summary: 'One post you may see (a draft is visible to its author only).',
  })
  @ApiOkResponse({ type: PostDto })
  get(
    @Param('postId', uuidParam('post')) postId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostDto> {
    return this.posts.get(postId, caller.user.id);
  }

  @Patch(':postId')
  @RequireScopes('posts:write')
  @DeclareErrors('not_found', 'forbidden')
  @ApiOperation({
    operationId: 'posts.update',
    summary: 'Edit your post; a reply sent back for revision returns to review.',
  })
  @ApiOkResponse({ type: PostDto })
  update(
    @Param('postId', uuidParam('post')) postId: string,
    @Body() body: UpdatePostDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostDto> {
    return this.posts.update(postId, caller.user.id, body);
  }

  @Delete(':postId')
  @RequireScopes('posts:write')
  @HttpCode(204)
  @DeclareErrors('not_found', 'forbidden')
  @ApiOperation({
    operationId: 'posts.delete',
    summary: 'Delete your post permanently, with its replies.',
  })
  @ApiNoContentResponse()
  async delete(
    @Param('postId', uuidParam('post')) postId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<void> {
    await this.posts.delete(postId, caller.user.id);
  }

  @Put(':postId/pricing')
  @RequireScopes('posts:write')
  @DeclareErrors('not_found', 'forbidden', 'conflict')
  @ApiOperation({
    operationId: 'posts.set_pricing',
    summary: 'Price your post (one-time or subscription). Once set, the price is locked.',
  })
  @ApiOkResponse({ type: PostDto })
  setPricing(
    @Param('postId', uuidParam('post')) postId: string,
    @Body() body: SetPricingDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostDto> {
    return this.posts.setPricing(postId, caller.user.id, body);
  }

  @Get(':postId/replies')
  @RequireScopes('posts:read')
  @DeclareErrors('not_found', 'purchase_required')
  @ApiOperation({
    operationId: 'posts.replies.list',
    summary:
      'Replies you may see, oldest first (the post’s author also sees those awaiting review).',
  })
  @ApiOkResponse({ type: PostPageDto })
  replies(
    @Param('postId', uuidParam('post')) postId: string,
    @Query() page: PageQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostPageDto> {
    return this.posts.listReplies(postId, caller.user.id, page);
  }

  @Post(':postId/replies/:replyId/accept')
  @RequireScopes('posts:write')
  @HttpCode(200)
  @DeclareErrors('not_found', 'forbidden')
  @ApiOperation({
    operationId: 'posts.replies.accept',
    summary: 'Accept a reply to your post (it becomes visible to everyone who sees the post).',
  })
  @ApiOkResponse({ type: PostDto })
  accept(
    @Param('postId', uuidParam('post')) postId: string,
    @Param('replyId', uuidParam('reply')) replyId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostDto> {
    return this.posts.moderateReply(postId, replyId, caller.user.id, { state: 'accepted' });
  }

  @Post(':postId/replies/:replyId/request-revision')
  @RequireScopes('posts:write')
  @HttpCode(200)
  @DeclareErrors('not_found', 'forbidden')
  @ApiOperation({
    operationId: 'posts.replies.request_revision',
    summary: 'Send a reply back to its author with a note.',
  })
  @ApiOkResponse({ type: PostDto })
  requestRevision(
    @Param('postId', uuidParam('post')) postId: string,
    @Param('replyId', uuidParam('reply')) replyId: string,
    @Body() body: RequestRevisionDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PostDto> {
    return this.posts.moderateReply(postId, replyId, caller.user.id, {
      state: 'needs_revision',
      note: body.note,
    });
  }
}
