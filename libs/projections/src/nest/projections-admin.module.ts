import { Module } from '@nestjs/common';
import { ProjectionsAdminController } from './projections-admin.controller';

/**
 * `/v1/admin/projections`. Services that run projections import it; Nest registers a
 * module class once, so the routes exist once however many services import it.
 */
@Module({ controllers: [ProjectionsAdminController] })
export class ProjectionsAdminModule {}
