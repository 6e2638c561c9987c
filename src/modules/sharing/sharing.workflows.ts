import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the sharing endpoints, listed in the catalog (registered on SharingModule). */
export const SHARING_WORKFLOWS: Workflow[] = [
  {
    id: 'create_referral_link',
    summary:
      'Create a referral link to a post or your profile and a QR code for it, with a token holding sharing:manage.',
    steps: [
      {
        endpoint: 'sharing.referral_paths.create',
        does: 'Create the path with target {postId} or {profile: true}, optionally your own code and a coSellerShareBps.',
        carry: 'id as target.referralPathId; url is the /go/{code} link to share',
        requestBody: { payload: { target: { profile: true } } },
        successCriteria: ['$statusCode == 201'],
        outputs: { referralPathId: '$response.body#/id', url: '$response.body#/url' },
      },
      {
        endpoint: 'sharing.qr_codes.create',
        does: 'Make its QR code with target {referralPathId} and style "classic" (or "ai" with an artStyle, where a provider is configured).',
        carry: 'pngUrl and svgUrl',
        requestBody: {
          payload: {
            target: {
              referralPathId: '$steps.sharing_referral_paths_create.outputs.referralPathId',
            },
            style: 'classic',
          },
        },
        successCriteria: ['$statusCode == 201'],
        outputs: { qrId: '$response.body#/id', pngUrl: '$response.body#/pngUrl' },
      },
      {
        endpoint: 'sharing.qr_codes.image_png',
        does: 'Download the PNG (or image_svg for the SVG) to print or post.',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.sharing_qr_codes_create.outputs.qrId' },
        ],
        successCriteria: ['$statusCode == 200'],
      },
      {
        endpoint: 'sharing.referral_paths.list',
        does: 'Later: read the visit counts of your links.',
        successCriteria: ['$statusCode == 200'],
        outputs: { visits: '$response.body#/items/0/visits' },
      },
    ],
    outputs: {
      url: '$steps.sharing_referral_paths_create.outputs.url',
      pngUrl: '$steps.sharing_qr_codes_create.outputs.pngUrl',
    },
  },
];
