import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock, type FieldError, ProblemException, SecretBox } from '../../../common/index.js';
import { TokensService } from '../../account/index.js';
import type { ControllerBinding } from '../controller/workspace-controller.js';
import { WorkspacePosts } from '../workspace-posts.js';
import {
  BINDING_NAME,
  type BindingDto,
  type BindingListDto,
  type PutBindingDto,
} from './bindings.dto.js';
import { WorkspaceBindingEntity } from './workspace-binding.entity.js';

/** The sealing context: a sealed value copied to another post or name does not open. */
const context = (postId: string, name: string) => `workspace-binding:${postId}:${name}`;

/** At most this many bindings per post (they are handed to the controller with every run). */
const MAX_BINDINGS_PER_POST = 100;

@Injectable()
export class BindingsService {
  constructor(
    @InjectRepository(WorkspaceBindingEntity)
    private readonly bindings: Repository<WorkspaceBindingEntity>,
    private readonly posts: WorkspacePosts,
    private readonly tokens: TokensService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  async put(
    callerId: string,
    postId: string,
    name: string,
    input: PutBindingDto,
  ): Promise<BindingDto> {
    const errors: FieldError[] = [];
    if (!BINDING_NAME.test(name))
      errors.push({ field: 'name', message: 'must be 1–64 characters of A–Z, 0–9 and _' });
    if ((input.value === undefined) === (input.tokenId === undefined))
      errors.push({ field: 'value', message: 'send exactly one of {value} or {tokenId}' });
    if (errors.length) throw ProblemException.validation(errors);
    await this.posts.ownPost(postId, callerId);
    if (input.tokenId !== undefined) {
      const now = this.clock.now();
      const token = (await this.tokens.listForUser(callerId)).find((t) => t.id === input.tokenId);
      if (!token || (token.expiresAt && new Date(token.expiresAt) <= now))
        throw ProblemException.validation([
          { field: 'tokenId', message: 'is not one of your active personal access tokens' },
        ]);
    }
    const existing = await this.bindings.findOneBy({ postId, name });
    if (!existing && (await this.bindings.countBy({ postId })) >= MAX_BINDINGS_PER_POST)
      throw ProblemException.validation([
        { field: 'name', message: `a post holds at most ${MAX_BINDINGS_PER_POST} bindings` },
      ]);
    const sealedValue =
      input.value !== undefined ? this.box.seal(input.value, context(postId, name)) : null;
    await this.bindings
      .createQueryBuilder()
      .insert()
      .values({
        postId,
        name,
        kind: input.value !== undefined ? 'VALUE' : 'TOKEN',
        sealedValue,
        tokenId: input.tokenId ?? null,
      })
      .orUpdate(['kind', 'sealed_value', 'token_id', 'updated_at'], ['post_id', 'name'])
      .execute();
    return this.view(await this.bindings.findOneByOrFail({ postId, name }));
  }

  async list(callerId: string, postId: string): Promise<BindingListDto> {
    await this.posts.ownPost(postId, callerId);
    const rows = await this.bindings.find({ where: { postId }, order: { name: 'ASC' } });
    return { items: rows.map((row) => this.view(row)), nextCursor: null };
  }

  async delete(callerId: string, postId: string, name: string): Promise<void> {
    await this.posts.ownPost(postId, callerId);
    const result = await this.bindings.delete({ postId, name });
    if (!result.affected) throw ProblemException.notFound('No such binding.');
  }

  /** The post's bindings with their values opened, for the controller only (never a response). */
  async forController(postId: string): Promise<ControllerBinding[]> {
    const rows = await this.bindings
      .createQueryBuilder('b')
      .addSelect('b.sealedValue')
      .where('b.post_id = :postId', { postId })
      .orderBy('b.name')
      .getMany();
    return rows.map((row) =>
      row.kind === 'TOKEN'
        ? { name: row.name, tokenId: row.tokenId! }
        : { name: row.name, value: this.box.open(row.sealedValue!, context(postId, row.name)) },
    );
  }

  private view(row: WorkspaceBindingEntity): BindingDto {
    return {
      name: row.name,
      kind: row.kind,
      tokenId: row.tokenId,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
