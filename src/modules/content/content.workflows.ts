import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the content endpoints, listed in the catalog (registered on ContentModule). */
export const CONTENT_WORKFLOWS: Workflow[] = [
  {
    id: 'publish_post',
    summary:
      'Publish a post (optionally at a place, scheduled, priced) with a token holding posts:write.',
    inputs: {
      type: 'object',
      properties: {
        title: { type: 'string', maxLength: 200, examples: ['Winter market this Saturday'] },
        body: { type: 'string', examples: ['Come by **stall 12**.'] },
      },
      required: ['title', 'body'],
    },
    steps: [
      {
        endpoint: 'places.search',
        optional: true,
        does: 'Optional (places:read): find the place.',
        carry: 'place id as placeId',
      },
      {
        endpoint: 'posts.create',
        does: 'Create the post with status PUBLISHED (or DRAFT, then PATCH status later).',
        carry: 'post id and referenceId (share link /r/{referenceId})',
        requestBody: {
          payload: { title: '$inputs.title', body: '$inputs.body', status: 'PUBLISHED' },
        },
        successCriteria: ['$statusCode == 201'],
        outputs: { postId: '$response.body#/id', referenceId: '$response.body#/referenceId' },
      },
      {
        endpoint: 'posts.set_pricing',
        optional: true,
        does: 'Optional: price it. The price locks once set.',
      },
      {
        endpoint: 'posts.get',
        does: 'Read it back as others will see it.',
        parameters: [{ name: 'postId', in: 'path', value: '$steps.posts_create.outputs.postId' }],
        successCriteria: ['$statusCode == 200', "$response.body#/status == 'PUBLISHED'"],
        outputs: { publishedAt: '$response.body#/publishedAt' },
      },
    ],
    outputs: {
      postId: '$steps.posts_create.outputs.postId',
      referenceId: '$steps.posts_create.outputs.referenceId',
    },
  },
  {
    id: 'read_feed',
    summary: 'Read the feed page by page with a token holding posts:read.',
    inputs: {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      },
      required: ['limit'],
    },
    steps: [
      {
        endpoint: 'posts.feed',
        does: 'GET with filters (hashtag, placeId, author, time, q, sort) and limit.',
        carry: 'nextCursor as cursor, with the same filters, until it is null',
        parameters: [{ name: 'limit', in: 'query', value: '$inputs.limit' }],
        successCriteria: ['$statusCode == 200'],
        outputs: {
          firstPostId: '$response.body#/items/0/id',
          nextCursor: '$response.body#/nextCursor',
        },
      },
      {
        endpoint: 'posts.get',
        does: 'Open one post.',
        parameters: [
          { name: 'postId', in: 'path', value: '$steps.posts_feed.outputs.firstPostId' },
        ],
        successCriteria: ['$statusCode == 200'],
        outputs: { title: '$response.body#/title' },
      },
      {
        endpoint: 'posts.replies.list',
        does: 'Read its replies.',
        parameters: [
          { name: 'postId', in: 'path', value: '$steps.posts_feed.outputs.firstPostId' },
        ],
        successCriteria: ['$statusCode == 200'],
        outputs: { replies: '$response.body#/items' },
      },
    ],
    outputs: { firstPostId: '$steps.posts_feed.outputs.firstPostId' },
  },
  {
    id: 'replace_post_artifact',
    summary:
      "Replace your post's artifact (image, PDF, audio, video or ZIP) with a token holding artifacts:write.",
    inputs: {
      type: 'object',
      properties: {
        postId: { type: 'string', description: 'One of your posts.' },
        filename: { type: 'string', examples: ['flyer.pdf'] },
        contentType: { type: 'string', examples: ['application/pdf'] },
        size: { type: 'integer', description: 'The exact size of content in bytes.' },
        content: {
          type: 'string',
          description:
            'The file’s bytes (a text runner sends a string: a small PDF, for instance).',
        },
      },
      required: ['postId', 'filename', 'contentType', 'size', 'content'],
    },
    steps: [
      {
        endpoint: 'artifacts.create_upload',
        does: 'Declare filename, contentType and the exact size in bytes; get an upload slot.',
        carry: 'uploadUrl and uploadId',
        parameters: [{ name: 'postId', in: 'path', value: '$inputs.postId' }],
        requestBody: {
          payload: {
            filename: '$inputs.filename',
            contentType: '$inputs.contentType',
            size: '$inputs.size',
          },
        },
        successCriteria: ['$statusCode == 201'],
        outputs: { uploadId: '$response.body#/uploadId', uploadUrl: '$response.body#/uploadUrl' },
      },
      {
        endpoint: 'artifacts.upload_bytes',
        does: 'PUT the raw bytes to uploadUrl with the declared Content-Type. No token: the URL authorises it. Valid for an hour.',
        callUrl: '$steps.artifacts_create_upload.outputs.uploadUrl',
        parameters: [{ name: 'Content-Type', in: 'header', value: '$inputs.contentType' }],
        requestBody: { contentType: 'application/pdf', payload: '$inputs.content' },
        successCriteria: ['$statusCode == 200'],
        outputs: { sha256: '$response.body#/sha256' },
      },
      {
        endpoint: 'artifacts.commit_upload',
        does: 'Commit the upload: the old artifact is replaced atomically.',
        parameters: [
          { name: 'postId', in: 'path', value: '$inputs.postId' },
          {
            name: 'uploadId',
            in: 'path',
            value: '$steps.artifacts_create_upload.outputs.uploadId',
          },
        ],
        successCriteria: ['$statusCode == 200'],
      },
      {
        endpoint: 'artifacts.get',
        does: 'Check the new artifact: type, size, sha256.',
        parameters: [{ name: 'postId', in: 'path', value: '$inputs.postId' }],
        successCriteria: [
          '$statusCode == 200',
          '$response.body#/sha256 == $steps.artifacts_upload_bytes.outputs.sha256',
        ],
        outputs: { downloadUrl: '$response.body#/downloadUrl' },
      },
    ],
    outputs: { sha256: '$steps.artifacts_upload_bytes.outputs.sha256' },
  },
  {
    id: 'find_place',
    summary: 'Resolve a place by name with a token holding places:read.',
    inputs: {
      type: 'object',
      properties: { q: { type: 'string', description: 'Name or city.', examples: ['Berlin'] } },
      required: ['q'],
    },
    steps: [
      {
        endpoint: 'places.search',
        does: 'Search by name or city with q.',
        carry: 'the place id',
        parameters: [{ name: 'q', in: 'query', value: '$inputs.q' }],
        successCriteria: ['$statusCode == 200'],
        outputs: { placeId: '$response.body#/items/0/id' },
      },
      {
        endpoint: 'places.get',
        does: 'Read its coordinates and time zone.',
        parameters: [
          { name: 'placeId', in: 'path', value: '$steps.places_search.outputs.placeId' },
        ],
        successCriteria: ['$statusCode == 200'],
        outputs: { timezone: '$response.body#/timezone' },
      },
    ],
    outputs: {
      placeId: '$steps.places_search.outputs.placeId',
      timezone: '$steps.places_get.outputs.timezone',
    },
  },
];
