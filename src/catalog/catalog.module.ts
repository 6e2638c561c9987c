import { Module } from '@nestjs/common';
import { ApiCatalogController } from './api-catalog.controller.js';
import { CatalogController } from './catalog.controller.js';
import { CatalogService } from './catalog.service.js';
import { WorkflowRegistry } from './workflows.js';
import { WorkflowsArazzoController } from './workflows-arazzo.controller.js';

@Module({
  controllers: [CatalogController, WorkflowsArazzoController, ApiCatalogController],
  providers: [CatalogService, WorkflowRegistry],
  exports: [CatalogService],
})
export class CatalogModule {}
