import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { mapPage, type Page, paginate, ProblemException } from '../../../common/index.js';
import { isValidTimeZone } from '../posts/posts.service.js';
import { PlaceEntity } from './place.entity.js';
import type { CreatePlaceDto, PlaceDto } from './places.dto.js';

function toPlaceDto(p: PlaceEntity): PlaceDto {
  return {
    id: p.id,
    name: p.name,
    city: p.city,
    country: p.country,
    latitude: p.latitude,
    longitude: p.longitude,
    timezone: p.timezone,
  };
}

@Injectable()
export class PlacesService {
  constructor(@InjectRepository(PlaceEntity) private readonly places: Repository<PlaceEntity>) {}

  async search(query: { q?: string; limit?: number; cursor?: string }): Promise<Page<PlaceDto>> {
    const qb = this.places.createQueryBuilder('pl');
    if (query.q) {
      const like = `%${query.q.replace(/[%_\\]/g, '\\$&')}%`;
      qb.where('(pl.name ILIKE :like OR pl.city ILIKE :like)', { like });
    }
    const page = await paginate(qb, {
      columns: [
        { expression: 'pl.name', kind: 'text', value: (p) => p.name },
        { expression: 'pl.id', kind: 'uuid', value: (p) => p.id },
      ],
      direction: 'ASC',
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, toPlaceDto);
  }

  async get(placeId: string): Promise<PlaceDto> {
    const place = await this.places.findOneBy({ id: placeId });
    if (!place) throw ProblemException.notFound('No such place.');
    return toPlaceDto(place);
  }

  async create(input: CreatePlaceDto): Promise<PlaceDto> {
    if (!isValidTimeZone(input.timezone)) {
      throw ProblemException.validation([
        { field: 'timezone', message: 'must be an IANA time zone such as Europe/Berlin' },
      ]);
    }
    return toPlaceDto(await this.places.save(this.places.create(input)));
  }
}
