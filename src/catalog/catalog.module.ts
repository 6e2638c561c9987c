import { Module } from '@nestjs/common';
import { ApiCatalogController } from './api-catalog.controller.js';
import { CatalogController } from './catalog.controller.js';
import { CatalogService } from './catalog.service.js';
import { WorkflowRegistry } from './workflows.js';

@Module({
  controllers: [CatalogController, ApiCatalogController],
  providers: [CatalogService, WorkflowRegistry],
  exports: [CatalogService],
})
export class CatalogModule {}
