import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the content endpoints, listed in the catalog (registered on ContentModule). */
export const CONTENT_WORKFLOWS: Workflow[] = [
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
];
