import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_DDL, RUNTIME_SCHEMA } from '../catalog';

/** Generations, checkpoints and parked events; a service lists it among its DataSource's migrations. */
export class CreateProjectionRuntime1763900000000 implements MigrationInterface {
  readonly name = 'CreateProjectionRuntime1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of RUNTIME_DDL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS ${RUNTIME_SCHEMA} CASCADE`);
  }
}
