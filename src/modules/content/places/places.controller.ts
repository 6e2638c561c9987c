import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, RequireScopes } from '../../../access/access-kinds.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import { CreatePlaceDto, PlaceDto, PlacePageDto, PlaceSearchDto } from './places.dto.js';
import { PlacesService } from './places.service.js';

const placeId = uuidParam('place');

@ApiTags('places')
@Controller()
export class PlacesController {
  constructor(private readonly places: PlacesService) {}

  @Get('places')
  @RequireScopes('places:read')
  @ApiOperation({
    operationId: 'places.search',
    summary: 'Search places by name or city (alphabetical, paginated).',
  })
  @ApiOkResponse({ type: PlacePageDto })
  search(@Query() query: PlaceSearchDto): Promise<PlacePageDto> {
    return this.places.search(query);
  }

  @Get('places/:placeId')
  @RequireScopes('places:read')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'places.get',
    summary: 'One place: name, city, country, coordinates, time zone.',
  })
  @ApiOkResponse({ type: PlaceDto })
  get(@Param('placeId', placeId) id: string): Promise<PlaceDto> {
    return this.places.get(id);
  }

  @Post('admin/places')
  @AdminOnly()
  @ApiOperation({ operationId: 'admin.places.create', summary: 'Add a place (admins).' })
  @ApiCreatedResponse({ type: PlaceDto })
  create(@Body() body: CreatePlaceDto): Promise<PlaceDto> {
    return this.places.create(body);
  }
}
