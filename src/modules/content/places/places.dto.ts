import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { NonBlankString, PageQueryDto, toUpperCase, Trimmed } from '../../../common/index.js';

export class PlaceSearchDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'berl',
    maxLength: 100,
    description: 'Case-insensitive match on name or city.',
  })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;
}

export class CreatePlaceDto {
  @ApiProperty({ example: 'Tempelhofer Feld', minLength: 1, maxLength: 200 })
  @NonBlankString(200)
  name!: string;

  @ApiProperty({ example: 'Berlin', minLength: 1, maxLength: 100 })
  @NonBlankString(100)
  city!: string;

  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2.' })
  @Trimmed(toUpperCase)
  @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO 3166-1 country code' })
  country!: string;

  @ApiProperty({ example: 52.4731, minimum: -90, maximum: 90 })
  @Type(() => Number)
  @IsNumber()
  @IsLatitude()
  latitude!: number;

  @ApiProperty({ example: 13.4018, minimum: -180, maximum: 180 })
  @Type(() => Number)
  @IsNumber()
  @IsLongitude()
  longitude!: number;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone.' })
  @IsString()
  @MaxLength(64)
  timezone!: string;
}

export class PlaceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Berlin' }) name!: string;
  @ApiProperty({ example: 'Berlin' }) city!: string;
  @ApiProperty({ example: 'DE' }) country!: string;
  @ApiProperty({ example: 52.52 }) latitude!: number;
  @ApiProperty({ example: 13.405 }) longitude!: number;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone!: string;
}

export class PlacePageDto {
  @ApiProperty({ type: [PlaceDto] }) items!: PlaceDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
