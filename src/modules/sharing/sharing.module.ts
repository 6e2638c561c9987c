import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { ContentModule } from '../content/index.js';
import { QrArtProvider, UnconfiguredQrArtProvider } from './qr-codes/qr-art-provider.js';
import { QrCodeEntity } from './qr-codes/qr-code.entity.js';
import { QrCodesController } from './qr-codes/qr-codes.controller.js';
import { QrCodesService } from './qr-codes/qr-codes.service.js';
import { RedirectsController } from './redirects/redirects.controller.js';
import { RedirectsService } from './redirects/redirects.service.js';
import { ReferralPathEntity } from './referral-paths/referral-path.entity.js';
import { ReferralPathsController } from './referral-paths/referral-paths.controller.js';
import { ReferralPathsService } from './referral-paths/referral-paths.service.js';
import { SHARING_WORKFLOWS } from './sharing.workflows.js';

/**
 * Sharing: referral links (`/go/{code}`), posts' short links (`/r/{referenceId}`) and QR codes.
 * Its own module rather than part of Account, because it needs Content (post targets) and
 * Content needs Account (audience tags): inside Account the two would depend on each other.
 */
@RegisterWorkflows(SHARING_WORKFLOWS)
@Module({
  imports: [TypeOrmModule.forFeature([ReferralPathEntity, QrCodeEntity]), ContentModule],
  controllers: [ReferralPathsController, QrCodesController, RedirectsController],
  providers: [
    ReferralPathsService,
    QrCodesService,
    RedirectsService,
    // No AI art provider ships with the server: `style: "ai"` answers 503 qr_art_unavailable.
    { provide: QrArtProvider, useClass: UnconfiguredQrArtProvider },
  ],
  // Billing attributes a sale to the referral path it came through.
  exports: [ReferralPathsService],
})
export class SharingModule {}
