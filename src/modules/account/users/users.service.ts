import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import argon2 from 'argon2';
import type { Repository } from 'typeorm';
import type { PrincipalUser } from '../../../access/principal.js';
import {
  isUniqueViolation,
  type Page,
  pageByCreation,
  ProblemException,
} from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { UserEntity } from './user.entity.js';

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  isAdmin: boolean;
  createdAt: string;
}

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    isAdmin: u.isAdmin,
    createdAt: u.createdAt.toISOString(),
  };
}

export function toPrincipalUser(u: UserEntity): PrincipalUser {
  return { id: u.id, email: u.email, displayName: u.displayName, isAdmin: u.isAdmin };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A real argon2id hash of a random password: verifying against it costs what a real check costs. */
let decoyHash: Promise<string> | undefined;

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(input: {
    email: string;
    password: string;
    displayName: string;
  }): Promise<UserEntity> {
    const email = normaliseEmail(input.email);
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    try {
      return await this.users.save(
        this.users.create({
          email,
          passwordHash,
          displayName: input.displayName.trim(),
          isAdmin: this.isConfiguredAdmin(email),
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw ProblemException.conflict('An account with this email already exists.');
      throw error;
    }
  }

  /**
   * The same work whether or not the email exists (a decoy hash is verified for unknown emails),
   * so neither the answer nor its timing tells an attacker which emails have accounts.
   */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normaliseEmail(email) })
      .getOne();
    if (!user) {
      decoyHash ??= argon2.hash(`decoy-${Math.random()}`, { type: argon2.argon2id });
      await argon2.verify(await decoyHash, password);
      return null;
    }
    if (!(await argon2.verify(user.passwordHash, password))) return null;
    if (!user.isAdmin && this.isConfiguredAdmin(user.email)) {
      await this.users.update(user.id, { isAdmin: true });
      user.isAdmin = true;
    }
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async grantAdmin(email: string): Promise<UserEntity | null> {
    const user = await this.users.findOneBy({ email: normaliseEmail(email) });
    if (!user) return null;
    if (!user.isAdmin) await this.users.update(user.id, { isAdmin: true });
    return { ...user, isAdmin: true };
  }

  async list(page: { limit?: number; cursor?: string; email?: string }): Promise<Page<UserView>> {
    const qb = this.users.createQueryBuilder('u');
    if (page.email)
      qb.andWhere('u.email LIKE :email', {
        email: `%${normaliseEmail(page.email).replace(/[%_\\]/g, '\\$&')}%`,
      });
    return pageByCreation(qb, page, toUserView);
  }

  private isConfiguredAdmin(email: string): boolean {
    return this.config.adminEmails.includes(email);
  }
}
