import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../../access/access-kinds.js';
import { Origin, type RequestOrigin } from '../../../access/principal.js';
import { LeakReportReceiptDto, ReportLeakedTokensDto } from './leaked-tokens.dto.js';
import { LeakedTokensService } from './leaked-tokens.service.js';

/** For secret-scanning partners (README: "Reporting leaked tokens"). No credentials needed. */
@ApiTags('tokens')
@Controller('tokens')
export class LeakedTokensController {
  constructor(private readonly leaks: LeakedTokensService) {}

  @Post('revocations')
  @Public()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'tokens.report_leaked',
    summary:
      'Report leaked tokens (secret scanners; no credentials): live ones are revoked at once and their owners emailed. Answers counts only, never which matched. 30 calls per minute per IP.',
  })
  @ApiAcceptedResponse({ type: LeakReportReceiptDto })
  async report(
    @Body() body: ReportLeakedTokensDto,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LeakReportReceiptDto> {
    return this.leaks.report(body, origin, res);
  }
}
