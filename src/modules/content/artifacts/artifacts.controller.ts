import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScopes, WebhookIngress } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { AcceptsBody, uuidParam } from '../../../common/index.js';
import { ARTIFACT_TYPE_NAMES } from './artifact-types.js';
import { ArtifactDto, CreateUploadDto, UploadReceivedDto, UploadSlotDto } from './artifacts.dto.js';
import { ArtifactsService, UPLOAD_URL_VERIFIER } from './artifacts.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

/** Replacing a post's artifact: request an upload slot, PUT the bytes to it, then commit. */
@ApiTags('artifacts')
@Controller()
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Post('posts/:postId/artifact-uploads')
  @HonoursResourcePinning()
  @RequireScopes('artifacts:write')
  @DeclareErrors('not_found', 'forbidden')
  @ApiOperation({
    operationId: 'artifacts.create_upload',
    summary: 'Step 1: request an upload slot for your post’s artifact (type and exact size).',
  })
  @ApiCreatedResponse({ type: UploadSlotDto })
  createUpload(
    @Param('postId', uuidParam('post')) postId: string,
    @Body() body: CreateUploadDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<UploadSlotDto> {
    return this.artifacts.createUpload(postId, caller.user.id, body);
  }

  @Put('artifact-uploads/:uploadId/:secret')
  @WebhookIngress(UPLOAD_URL_VERIFIER)
  @AcceptsBody(...ARTIFACT_TYPE_NAMES)
  @DeclareErrors('unsupported_media_type', 'conflict', 'validation_failed')
  @ApiOperation({
    operationId: 'artifacts.upload_bytes',
    summary:
      'Step 2: PUT the raw bytes to the uploadUrl from step 1. The URL authorises the upload: no token or session.',
  })
  @ApiParam({ name: 'uploadId', format: 'uuid', description: 'From step 1.' })
  @ApiParam({
    name: 'secret',
    description: 'The credential part of uploadUrl; use uploadUrl as given.',
  })
  // Raw bytes in the artifact's own media type, not JSON.
  @ApiConsumes(...ARTIFACT_TYPE_NAMES)
  @ApiBody({
    description:
      'The file’s raw bytes, with the declared Content-Type and exactly the declared size.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiOkResponse({ type: UploadReceivedDto })
  upload(@Param('uploadId') uploadId: string, @Req() req: Request): Promise<UploadReceivedDto> {
    return this.artifacts.receive(uploadId, req);
  }

  @Post('posts/:postId/artifact-uploads/:uploadId/commit')
  @HonoursResourcePinning()
  @RequireScopes('artifacts:write')
  @HttpCode(200)
  @DeclareErrors('not_found', 'forbidden', 'conflict')
  @ApiOperation({
    operationId: 'artifacts.commit_upload',
    summary:
      'Step 3: make the uploaded file the post’s artifact, atomically replacing the old one.',
  })
  @ApiOkResponse({ type: ArtifactDto })
  commit(
    @Param('postId', uuidParam('post')) postId: string,
    @Param('uploadId', uuidParam('upload')) uploadId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<ArtifactDto> {
    return this.artifacts.commit(postId, uploadId, caller.user.id);
  }

  @Get('posts/:postId/artifact')
  @HonoursResourcePinning()
  @RequireScopes('posts:read')
  @DeclareErrors('not_found', 'purchase_required')
  @ApiOperation({
    operationId: 'artifacts.get',
    summary: 'The post’s artifact: file name, type, size, checksum.',
  })
  @ApiOkResponse({ type: ArtifactDto })
  get(
    @Param('postId', uuidParam('post')) postId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<ArtifactDto> {
    return this.artifacts.get(postId, caller.user.id);
  }

  @Get('posts/:postId/artifact/content')
  @HonoursResourcePinning()
  @RequireScopes('posts:read')
  @DeclareErrors('not_found', 'purchase_required')
  @ApiOperation({
    operationId: 'artifacts.download',
    summary: 'Download the post’s artifact (as visible as the post).',
  })
  @ApiOkResponse({ description: 'The file’s bytes.' })
  async download(
    @Param('postId', uuidParam('post')) postId: string,
    @CurrentUser() caller: UserPrincipal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { artifact, stream } = await this.artifacts.open(postId, caller.user.id);
    // Express builds the header per RFC 6266: an ASCII fallback plus filename*=UTF-8''… for any
    // other name. It also guesses a type from the extension, which the stored type replaces.
    res.attachment(artifact.filename);
    res.setHeader('Content-Type', artifact.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(stream, { length: artifact.size });
  }
}
