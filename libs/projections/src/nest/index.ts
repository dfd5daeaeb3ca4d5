// The Nest layer over the runtime: the admin API.
export { ProjectionsAdminModule } from './projections-admin.module';
export { ProjectionsAdminController } from './projections-admin.controller';
export { redirectIfMerged, type MergedAnswer } from './merged-redirect';
