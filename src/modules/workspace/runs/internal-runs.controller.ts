import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Internal } from '../../../access/access-kinds.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import { RunEventAckDto, RunEventDto } from './runs.dto.js';
import { RunsService } from './runs.service.js';

/** Progress reports from the workspace controller (service credential only). */
@ApiTags('workspace')
@Controller('internal/workspace/runs')
export class InternalRunsController {
  constructor(private readonly runs: RunsService) {}

  @Post(':id/events')
  @HttpCode(200)
  @Internal()
  @DeclareErrors('not_found', 'run_finished')
  @ApiOperation({
    operationId: 'workspace.internal.run_events',
    summary:
      'The workspace controller reports a run’s progress (RUNNING with output so far) or its end (SUCCEEDED / FAILED). A repeated end report is acknowledged; a contradicting one is 409.',
  })
  @ApiOkResponse({ type: RunEventAckDto })
  report(
    @Param('id', uuidParam('run')) id: string,
    @Body() body: RunEventDto,
  ): Promise<RunEventAckDto> {
    return this.runs.report(id, body);
  }
}
