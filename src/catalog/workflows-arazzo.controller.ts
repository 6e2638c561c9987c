import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../access/access-kinds.js';
import { send } from './catalog.controller.js';
import { CatalogService } from './catalog.service.js';

/** The catalog's workflows as an Arazzo 1.0.1 document, for generic runners (redocly respect). */
@ApiTags('catalog')
@Controller('programmatic')
@Public()
export class WorkflowsArazzoController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('workflows.arazzo.json')
  @ApiOperation({
    operationId: 'catalog.workflows_arazzo',
    summary:
      'The catalog’s workflows as an Arazzo 1.0.1 document: steps bound to operations, inputs (token), success criteria and outputs (ETag; 304 on If-None-Match).',
  })
  @ApiOkResponse({ description: 'An Arazzo 1.0.1 document (JSON).' })
  get(@Req() req: Request, @Res() res: Response): void {
    send(req, res, this.catalog.servedArazzo());
  }
}
