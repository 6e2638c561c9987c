import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { Trimmed } from '../../../common/index.js';
import type { UserView } from '../users/users.service.js';

export class SignupDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Trimmed()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: 10,
    maxLength: 200,
    format: 'password',
  })
  @IsString()
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(200)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100)
  displayName!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 200, format: 'password' })
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class UserDto implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ada@example.com' }) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName!: string;
  @ApiProperty() isAdmin!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SessionDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({
    description: 'Send as X-CSRF-Token on every cookie-authenticated POST, PUT, PATCH and DELETE.',
  })
  csrfToken!: string;
}
