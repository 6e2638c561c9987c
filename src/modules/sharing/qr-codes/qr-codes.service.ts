import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import QRCode from 'qrcode';
import type { Repository } from 'typeorm';
import { effectiveScopes } from '../../../access/scopes.js';
import type { Principal } from '../../../access/principal.js';
import {
  type FieldError,
  type Page,
  type PageRequest,
  pageByCreation,
  ProblemException,
} from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { ReferralPathsService } from '../referral-paths/referral-paths.service.js';
import { QR_ART_STYLES_NEEDING_PROMPT, QrArtProvider } from './qr-art-provider.js';
import { QrCodeEntity } from './qr-code.entity.js';
import type {
  CreateQrCodeDto,
  GalleryQrCodeDto,
  QrCodeDto,
  UpdateQrCodeDto,
} from './qr-codes.dto.js';

/** Medium error correction (15 %) scans well from print and screens; 4 modules of quiet zone. */
const RENDER = { errorCorrectionLevel: 'M', margin: 4 } as const;
const PNG_WIDTH = 512;

export type QrImageFormat = 'png' | 'svg';

export interface QrImage {
  body: Buffer | string;
  /** Whether anyone may see it (in the gallery), so shared caches may keep it. */
  isPublic: boolean;
}

@Injectable()
export class QrCodesService {
  constructor(
    @InjectRepository(QrCodeEntity) private readonly codes: Repository<QrCodeEntity>,
    private readonly paths: ReferralPathsService,
    private readonly art: QrArtProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every 400 first (target shape, style fields, then what the target names), then the art
   * provider's availability, then rendering; nothing is stored unless the image is.
   */
  async create(ownerId: string, input: CreateQrCodeDto): Promise<QrCodeDto> {
    const { url, referralPathId } = input.target;
    const errors: FieldError[] = [];
    if ((url === undefined) === (referralPathId === undefined))
      errors.push({ field: 'target', message: 'must be exactly one of {url} or {referralPathId}' });
    if (input.style === 'classic') {
      if (input.artStyle !== undefined)
        errors.push({ field: 'artStyle', message: 'is only for style "ai"' });
      if (input.prompt !== undefined)
        errors.push({ field: 'prompt', message: 'is only for style "ai"' });
    } else if (input.artStyle === undefined) {
      errors.push({ field: 'artStyle', message: 'is required with style "ai"' });
    } else if (QR_ART_STYLES_NEEDING_PROMPT.includes(input.artStyle) && !input.prompt) {
      errors.push({ field: 'prompt', message: `is required with artStyle "${input.artStyle}"` });
    }
    if (errors.length) throw ProblemException.validation(errors);

    let encoded: string;
    if (referralPathId !== undefined) {
      const path = await this.paths.findOwn(ownerId, referralPathId);
      if (!path)
        throw ProblemException.validation([
          { field: 'target.referralPathId', message: 'is not one of your referral paths' },
        ]);
      encoded = path.url;
    } else {
      encoded = this.ownUrl(url!);
    }

    if (input.style === 'ai' && !this.art.available)
      throw new ProblemException({
        code: 'qr_art_unavailable',
        detail:
          'No QR art provider is configured on this server, so AI-styled codes cannot be made. Nothing was stored; ask for style "classic".',
      });

    const image =
      input.style === 'ai'
        ? await this.art.render({
            url: encoded,
            artStyle: input.artStyle!,
            prompt: input.prompt ?? null,
          })
        : {
            png: await QRCode.toBuffer(encoded, { ...RENDER, type: 'png', width: PNG_WIDTH }),
            svg: await QRCode.toString(encoded, { ...RENDER, type: 'svg' }),
          };
    const saved = await this.codes.save(
      this.codes.create({
        ownerId,
        referralPathId: referralPathId ?? null,
        url: encoded,
        style: input.style,
        artStyle: input.artStyle ?? null,
        prompt: input.prompt ?? null,
        hidden: false,
        png: image.png,
        svg: image.svg,
        hasSvg: image.svg !== null,
      }),
    );
    return this.ownerView(saved);
  }

  list(ownerId: string, page: PageRequest): Promise<Page<QrCodeDto>> {
    const qb = this.codes.createQueryBuilder('q').where('q.owner_id = :ownerId', { ownerId });
    return pageByCreation(qb, page, (row) => this.ownerView(row));
  }

  gallery(page: PageRequest): Promise<Page<GalleryQrCodeDto>> {
    const qb = this.codes.createQueryBuilder('q').where('q.hidden = false');
    return pageByCreation(qb, page, (row) => this.galleryView(row));
  }

  async setHidden(ownerId: string, id: string, input: UpdateQrCodeDto): Promise<QrCodeDto> {
    const result = await this.codes.update({ id, ownerId }, { hidden: input.hidden });
    if (!result.affected) throw ProblemException.notFound('No such QR code.');
    return this.ownerView(await this.codes.findOneByOrFail({ id }));
  }

  /**
   * A generation's image. Anyone may fetch one the public gallery shows; a hidden one only its
   * owner, with a session or a token holding sharing:manage. Anything else is a 404, so a hidden
   * code's existence is not revealed.
   */
  async image(id: string, format: QrImageFormat, caller: Principal | undefined): Promise<QrImage> {
    const row = await this.codes
      .createQueryBuilder('q')
      .addSelect(format === 'png' ? 'q.png' : 'q.svg')
      .where('q.id = :id', { id })
      .getOne();
    const body = row ? (format === 'png' ? row.png : row.svg) : null;
    if (!row || !body || (row.hidden && !this.isOwnerManaging(row.ownerId, caller)))
      throw ProblemException.notFound(`No such QR code image (${format}).`);
    return { body, isPublic: !row.hidden };
  }

  private isOwnerManaging(ownerId: string, caller: Principal | undefined): boolean {
    if (!caller || caller.kind === 'internal' || caller.user.id !== ownerId) return false;
    return caller.kind === 'session' || effectiveScopes(caller.token.scopes).has('sharing:manage');
  }

  /**
   * A `{url}` target must be an absolute http(s) URL on PUBLIC_BASE_URL's origin: a QR code made
   * on this domain must not send people elsewhere (a phishing page behind our name).
   */
  private ownUrl(raw: string): string {
    const refuse = (message: string) =>
      ProblemException.validation([{ field: 'target.url', message }]);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw refuse('must be an absolute URL');
    }
    const ours = new URL(this.config.publicBaseUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw refuse('must be an http or https URL');
    if (parsed.origin !== ours.origin || parsed.username || parsed.password)
      throw refuse(`must be on ${ours.origin}: a QR code made here never leads elsewhere`);
    return parsed.href;
  }

  private imageUrl(id: string, format: QrImageFormat): string {
    return `${this.config.publicBaseUrl}/api/sharing/qr-codes/${id}/image.${format}`;
  }

  private galleryView(row: QrCodeEntity): GalleryQrCodeDto {
    return {
      id: row.id,
      url: row.url,
      style: row.style,
      artStyle: row.artStyle,
      pngUrl: this.imageUrl(row.id, 'png'),
      svgUrl: row.hasSvg ? this.imageUrl(row.id, 'svg') : null,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private ownerView(row: QrCodeEntity): QrCodeDto {
    return {
      ...this.galleryView(row),
      referralPathId: row.referralPathId,
      prompt: row.prompt,
      hidden: row.hidden,
    };
  }
}
