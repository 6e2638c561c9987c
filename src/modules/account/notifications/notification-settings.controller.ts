import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import {
  NotificationSettingsDto,
  UpdateNotificationSettingsDto,
} from './notification-settings.dto.js';
import { NotificationSettingsService } from './notification-settings.service.js';

/** Settings → Notifications: the caller's own settings; there is no way to name another user's. */
@ApiTags('notifications')
@Controller('account/notification-settings')
export class NotificationSettingsController {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Get()
  @RequireScopes('notifications:read')
  @ApiOperation({
    operationId: 'notifications.get_settings',
    summary: 'Your notification settings (created with the defaults on first read).',
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  get(@CurrentUser() caller: UserPrincipal): Promise<NotificationSettingsDto> {
    return this.settings.getOrCreate(caller.user.id);
  }

  @Patch()
  @RequireScopes('notifications:write')
  @ApiOperation({
    operationId: 'notifications.update_settings',
    summary:
      'Change some of your notification settings: only the fields sent change; answers the full settings.',
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  update(
    @Body() body: UpdateNotificationSettingsDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<NotificationSettingsDto> {
    return this.settings.update(caller.user.id, body);
  }
}
