import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { ALL_SCOPES, type Scope } from '../../../access/scopes.js';

class MeUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ada@example.com' }) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName!: string;
  @ApiProperty() isAdmin!: boolean;
}

class MeDto {
  @ApiProperty({ type: MeUserDto }) user!: MeUserDto;
  @ApiProperty({ enum: ['session', 'pat'] }) authenticatedWith!: 'session' | 'pat';
  @ApiPropertyOptional({
    enum: ALL_SCOPES,
    isArray: true,
    description: "The token's scopes (token callers only).",
  })
  scopes?: Scope[];
}

@ApiTags('account')
@Controller('me')
export class MeController {
  /** Answers from the verified principal: no database round trip on this hot path. */
  @Get()
  @RequireScopes()
  @ApiOperation({
    operationId: 'me.get',
    summary: 'Who am I: the user, and the scopes when called with a token.',
  })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() caller: UserPrincipal): MeDto {
    const { id, email, displayName, isAdmin } = caller.user;
    return caller.kind === 'pat'
      ? {
          user: { id, email, displayName, isAdmin },
          authenticatedWith: 'pat',
          scopes: [...caller.token.scopes],
        }
      : { user: { id, email, displayName, isAdmin }, authenticatedWith: 'session' };
  }
}
