import { Body, Controller, Get, HttpCode, Module, Post, Query } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { decodeCursor, PageQueryDto } from '../../src/common/index.js';

class EchoDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  name!: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(10)
  count!: number;
}

/** Test-only routes that exercise the HTTP plumbing without depending on any domain module. */
@Controller('test-probe')
class ProbeController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error(
      'relation "users" does not exist: SELECT password_hash FROM users -- secret=hunter2',
    );
  }

  @Get('page')
  page(@Query() query: PageQueryDto): { limit: number; cursor: unknown } {
    return {
      limit: query.limit ?? 20,
      cursor: query.cursor ? decodeCursor(query.cursor, ['timestamptz', 'uuid']) : null,
    };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
