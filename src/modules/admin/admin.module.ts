import { Module } from '@nestjs/common';
import { AuditModule } from '../../access/audit/audit.module.js';
import { AccountModule } from '../account/index.js';
import { AdminController } from './admin.controller.js';

@Module({ imports: [AccountModule, AuditModule], controllers: [AdminController] })
export class AdminModule {}
