import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainError, ErrorCode } from '@gatehouse/contracts';
import { createValidationPipe } from './validation.pipe';

class Inner {
  @IsInt()
  @Max(10)
  size!: number;
}

class Outer {
  @IsString()
  name!: string;

  @ValidateNested({ each: true })
  @Type(() => Inner)
  items!: Inner[];
}

async function validate(value: unknown): Promise<unknown> {
  return createValidationPipe().transform(value, { type: 'body', metatype: Outer });
}

describe('createValidationPipe', () => {
  it('passes a valid body through as the DTO class', async () => {
    const result = await validate({ name: 'a', items: [{ size: 1 }] });
    expect(result).toBeInstanceOf(Outer);
  });

  it('names every offending field, nested ones with their path', async () => {
    const error = await validate({ name: 5, items: [{ size: 1 }, { size: 11 }] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.code).toBe(ErrorCode.ValidationFailed);
    expect(domain.status).toBe(400);
    expect(domain.fields.map((field) => field.field)).toEqual(['name', 'items[1].size']);
  });

  it('refuses properties the DTO does not declare (no mass assignment)', async () => {
    const error = await validate({ name: 'a', items: [], role: 'admin' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as DomainError).fields).toEqual([
      { field: 'role', message: 'property role should not exist' },
    ]);
  });
});
