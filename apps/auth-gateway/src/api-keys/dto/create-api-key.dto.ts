import { IsString, Matches } from 'class-validator';

export class CreateApiKeyDto {
  @IsString()
  @Matches(/^[A-Za-z0-9 ._-]{1,100}$/, {
    message: 'name must be 1-100 letters, digits, spaces, . _ or -',
  })
  name!: string;
}
