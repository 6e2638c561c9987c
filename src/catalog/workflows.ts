/**
 * Named recipes across endpoints for common jobs. Each step names an endpoint id (= its OpenAPI
 * operationId) and what to carry into the next step. A test fails when a step names an endpoint
 * that does not exist.
 */
export interface WorkflowStep {
  endpoint: string;
  does: string;
  carry?: string;
}

export interface Workflow {
  id: string;
  summary: string;
  steps: WorkflowStep[];
}

export const WORKFLOWS: Workflow[] = [
  {
    id: 'publish_post',
    summary:
      'Publish a post (optionally at a place, scheduled, priced) with a token holding posts:write.',
    steps: [
      {
        endpoint: 'places.search',
        does: 'Optional (places:read): find the place.',
        carry: 'place id as placeId',
      },
      {
        endpoint: 'posts.create',
        does: 'Create the post with status PUBLISHED (or DRAFT, then PATCH status later).',
        carry: 'post id and referenceId (share link /r/{referenceId})',
      },
      { endpoint: 'posts.set_pricing', does: 'Optional: price it. The price locks once set.' },
      { endpoint: 'posts.get', does: 'Read it back as others will see it.' },
    ],
  },
  {
    id: 'read_feed',
    summary: 'Read the feed page by page with a token holding posts:read.',
    steps: [
      {
        endpoint: 'posts.feed',
        does: 'GET with filters (hashtag, placeId, author, time, q, sort) and limit.',
        carry: 'nextCursor as cursor, with the same filters, until it is null',
      },
      { endpoint: 'posts.get', does: 'Open one post.' },
      { endpoint: 'posts.replies.list', does: 'Read its replies.' },
    ],
  },
  {
    id: 'replace_post_artifact',
    summary:
      "Replace your post's artifact (image, PDF, audio, video or ZIP) with a token holding artifacts:write.",
    steps: [
      {
        endpoint: 'artifacts.create_upload',
        does: 'Declare filename, contentType and the exact size in bytes; get an upload slot.',
        carry: 'uploadUrl and uploadId',
      },
      {
        endpoint: 'artifacts.upload_bytes',
        does: 'PUT the raw bytes to uploadUrl with the declared Content-Type. No token: the URL authorises it. Valid for an hour.',
      },
      {
        endpoint: 'artifacts.commit_upload',
        does: 'Commit the upload: the old artifact is replaced atomically.',
      },
      { endpoint: 'artifacts.get', does: 'Check the new artifact: type, size, sha256.' },
    ],
  },
  {
    id: 'find_place',
    summary: 'Resolve a place by name with a token holding places:read.',
    steps: [
      { endpoint: 'places.search', does: 'Search by name or city with q.', carry: 'the place id' },
      { endpoint: 'places.get', does: 'Read its coordinates and time zone.' },
    ],
  },
  {
    id: 'create_personal_access_token',
    summary:
      'Sign in with a browser session and mint a personal access token with the smallest set of scopes (browser only).',
    steps: [
      {
        endpoint: 'auth.login',
        does: 'Sign in; the response sets the session cookie.',
        carry: 'the session cookie and csrfToken',
      },
      {
        endpoint: 'tokens.create',
        does: 'Create the token with the cookie and X-CSRF-Token; the raw value is in this response only.',
        carry: 'token (store it as a secret)',
      },
      { endpoint: 'tokens.list', does: 'Check the token is listed (metadata only).' },
    ],
  },
  {
    id: 'inspect_my_token',
    summary:
      'From a script: find out which user and scopes a personal access token carries before relying on it.',
    steps: [
      {
        endpoint: 'tokens.self',
        does: 'Read the calling token: name, scopes, expiry, last use.',
        carry: 'scopes',
      },
      { endpoint: 'me.get', does: 'Read the user the token acts for.' },
    ],
  },
];
