import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger, StaffStore } from '@rapport/platform';
import { FieldErrorDto, PlatformModule, ProblemDto } from '@rapport/platform/nest';
import type { Pool } from 'pg';
import { serviceModules } from './service-modules';

@Module({})
class DocumentModule {}

/**
 * The embedded app's OpenAPI document, built without a database or a listening server: Nest's
 * preview mode resolves the module graph (routes, DTOs) without instantiating any provider, so
 * no store, pool or projector is ever touched.
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const unused = {} as Pool;
  const logger = createLogger({ level: 'silent', serviceName: 'rapport' });
  const root: DynamicModule = {
    module: DocumentModule,
    imports: [
      PlatformModule.forRoot({ apiKeys: new ApiKeyStore(unused), staff: new StaffStore(unused), serviceName: 'rapport' }),
      ...serviceModules({ store: {} as PostgresEventStore, databaseUrl: 'postgres://unused/unused', logger }),
    ],
  };
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  const config = new DocumentBuilder()
    .setTitle('Rapport')
    .setVersion('1')
    .setDescription('Every Rapport API, served by the embedded platform.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key, e.g. rpk_emitter_…' })
    .addCookieAuth('rapport_session')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto, FieldErrorDto] });
  await app.close();
  return document;
}
