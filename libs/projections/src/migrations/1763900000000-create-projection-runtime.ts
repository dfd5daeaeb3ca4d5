import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_DDL, RUNTIME_SCHEMA } from '../catalog';

/** Generations, checkpoints and parked events; a service lists it among its DataSource's migrations. */
export class CreateProjectionRuntime1763900000000 implements MigrationInterface {
  readonly name = 'CreateProjectionRuntime1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Services in one process migrate their DataSources at once: the same lock as migrateRuntime.
    await queryRunner.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${RUNTIME_SCHEMA}.migrate`]);
    for (const statement of RUNTIME_DDL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS ${RUNTIME_SCHEMA} CASCADE`);
  }
}
