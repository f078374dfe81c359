import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsPositive,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

export const MAX_BATCH = 1000;

export class UsersInfoRequestDto {
  @IsArray()
  @ArrayMaxSize(MAX_BATCH, { message: `user_ids may hold at most ${MAX_BATCH} ids` })
  @IsInt({ each: true })
  @IsPositive({ each: true })
  user_ids!: number[];
}

export class RoleQueryDto {
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/, { message: 'system must be a system code such as TTS' })
  system!: string;

  @IsString()
  @MaxLength(100)
  role!: string;
}
