import type { Scope } from '../../access/scopes.js';
import { Injectable } from '@nestjs/common';
import {
  CredentialStore,
  type ResolvedSession,
  type VerifiedToken,
} from '../../access/credentials.js';
import { SessionsService } from './sessions/sessions.service.js';
import { TokensService } from './tokens/tokens.service.js';

/** The Account module's side of the access layer's CredentialStore. */
@Injectable()
export class AccountCredentialStore extends CredentialStore {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
  ) {
    super();
  }

  resolveSession(cookieValue: string): Promise<ResolvedSession | null> {
    return this.sessions.resolve(cookieValue);
  }

  verifyToken(presented: string): Promise<VerifiedToken | null> {
    return this.tokens.verify(presented);
  }

  verifyTokenFromMemory(presented: string): VerifiedToken | null | undefined {
    return this.tokens.verifyFromMemory(presented);
  }

  noteTokenUse(tokenId: string, ip: string | null, scopesUsed: readonly Scope[]): void {
    this.tokens.noteUse(tokenId, ip, scopesUsed);
  }
}
