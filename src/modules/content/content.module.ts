import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { AccountModule } from '../account/index.js';
import { ArtifactStorage, LocalDiskArtifactStorage } from './artifacts/artifact-storage.js';
import { ArtifactUploadEntity, PostArtifactEntity } from './artifacts/artifact.entities.js';
import { ArtifactsController } from './artifacts/artifacts.controller.js';
import { ArtifactsService } from './artifacts/artifacts.service.js';
import { PlaceEntity } from './places/place.entity.js';
import { PlacesController } from './places/places.controller.js';
import { PlacesService } from './places/places.service.js';
import { PostEntity } from './posts/post.entity.js';
import { PostsController } from './posts/posts.controller.js';
import { PostsService } from './posts/posts.service.js';
import { PostEntitlementEntity } from './entitlements/post-entitlement.entity.js';
import { PostEntitlements } from './entitlements/post-entitlements.service.js';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { CONTENT_WORKFLOWS } from './content.workflows.js';
import { RegisterDomainEvents } from '../../events/index.js';
import { CONTENT_EVENTS } from './content.events.js';

/** Posts (with replies, pricing and moderation), the feed, places, and posts' artifacts. */
@RegisterWorkflows(CONTENT_WORKFLOWS)
@RegisterDomainEvents(CONTENT_EVENTS)
@Module({
  imports: [
    TypeOrmModule.forFeature([
      PostEntity,
      PlaceEntity,
      ArtifactUploadEntity,
      PostArtifactEntity,
      PostEntitlementEntity,
    ]),
    // Audience tags: who holds which of a creator's member tags (MembershipsService).
    AccountModule,
  ],
  controllers: [PostsController, PlacesController, ArtifactsController],
  providers: [
    PostsService,
    PostEntitlements,
    PlacesService,
    ArtifactsService,
    {
      provide: ArtifactStorage,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new LocalDiskArtifactStorage(join(config.dataDir, 'artifacts')),
    },
  ],
  // PostEntitlements: Billing grants and ends access to priced posts.
  exports: [PostsService, PostEntitlements],
})
export class ContentModule {}
