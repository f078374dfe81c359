import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { PingRequest } from './patterns';

export class PingRequestDto implements PingRequest {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nonce?: string;
}
