import type { Provider } from '@nestjs/common';
import { CREDENTIAL_STORE, type CredentialStore } from '../../access/credentials.js';
import { SessionsService } from './sessions/sessions.service.js';
import { TokensService } from './tokens/tokens.service.js';

/** The Account module's side of the access layer's CredentialStore. */
export const accountCredentialStore: Provider = {
  provide: CREDENTIAL_STORE,
  inject: [SessionsService, TokensService],
  useFactory: (sessions: SessionsService, tokens: TokensService): CredentialStore => ({
    resolveSession: (cookieValue) => sessions.resolve(cookieValue),
    verifyToken: (presented) => tokens.verify(presented),
    noteTokenUse: (tokenId, ip) => tokens.noteUse(tokenId, ip),
  }),
};
