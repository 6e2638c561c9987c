import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiCatalogController } from './api-catalog.controller.js';
import { CatalogController } from './catalog.controller.js';
import { CatalogService } from './catalog.service.js';

@Module({
  imports: [DiscoveryModule],
  controllers: [CatalogController, ApiCatalogController],
  providers: [CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
