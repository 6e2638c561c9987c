import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlaceEntity } from './places/place.entity.js';
import { PlacesController } from './places/places.controller.js';
import { PlacesService } from './places/places.service.js';
import { PostEntity } from './posts/post.entity.js';
import { PostsController } from './posts/posts.controller.js';
import { PostsService } from './posts/posts.service.js';

/** Posts (with replies, pricing and moderation), the feed, and places. */
@Module({
  imports: [TypeOrmModule.forFeature([PostEntity, PlaceEntity])],
  controllers: [PostsController, PlacesController],
  providers: [PostsService, PlacesService],
  exports: [PostsService],
})
export class ContentModule {}
