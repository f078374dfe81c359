import { Matches } from 'class-validator';

export const ID_PATTERN = /^[1-9]\d{0,17}$/;

/** `{id}` of a user route: a positive integer that fits a bigint, else 400 naming `id`. */
export class UserIdParam {
  @Matches(ID_PATTERN, { message: 'id must be a positive integer' })
  id!: string;
}
