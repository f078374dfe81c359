import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, with the default tenant `1` every single-company install uses. */
export class CreateTenants1764270000000 implements MigrationInterface {
  name = 'CreateTenants1764270000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id varchar(64) PRIMARY KEY,
        slug varchar(64) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_id_format CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
        CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$')
      )`);
    await queryRunner.query(
      `INSERT INTO tenants (id, slug, name) VALUES ('1', 'default', 'Default tenant')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tenants');
  }
}
