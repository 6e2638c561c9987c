import { checkWorkflows, type Workflow, workflowProblems } from './workflows.js';

const endpoints = new Map([
  ['posts.create', { takesToken: true }],
  ['posts.get', { takesToken: true }],
  ['auth.login', { takesToken: false }],
]);

function publishPost(): Workflow {
  return {
    id: 'publish_post',
    summary: 'Publish a post.',
    inputs: {
      type: 'object',
      properties: { title: { type: 'string' } },
      required: ['title'],
    },
    steps: [
      { endpoint: 'places.search', optional: true, does: 'Optional: find the place.' },
      {
        endpoint: 'posts.create',
        does: 'Create it.',
        requestBody: { payload: { title: '$inputs.title', status: 'PUBLISHED' } },
        successCriteria: ['$statusCode == 201'],
        outputs: { postId: '$response.body#/id' },
      },
      {
        endpoint: 'posts.get',
        does: 'Read it.',
        parameters: [{ name: 'postId', in: 'path', value: '$steps.posts_create.outputs.postId' }],
        successCriteria: ['$statusCode == 200'],
      },
    ],
    outputs: { postId: '$steps.posts_create.outputs.postId' },
  };
}

describe('the boot-time workflow check', () => {
  it('accepts a structured workflow (the token input is generated for token steps)', () => {
    // places.search is unknown here: only an optional step names it, and it is still refused.
    const known = new Map([...endpoints, ['places.search', { takesToken: true }]]);
    expect(workflowProblems([publishPost()], known)).toEqual([]);
    expect(() => checkWorkflows([publishPost()], known)).not.toThrow();
  });

  it('refuses a step naming an unknown endpoint, even an optional one', () => {
    expect(workflowProblems([publishPost()], endpoints)).toEqual([
      'workflow publish_post step places_search: names the unknown endpoint places.search',
    ]);
    expect(() => checkWorkflows([publishPost()], endpoints)).toThrow(
      /not executable:\n- workflow publish_post step places_search: names the unknown endpoint/,
    );
  });

  it('refuses an output no earlier step produces, and a step reading a later step', () => {
    const w = publishPost();
    w.steps = w.steps.slice(1);
    w.steps[1].parameters = [
      { name: 'postId', in: 'path', value: '$steps.posts_create.outputs.id' },
    ];
    w.outputs = { readBack: '$steps.posts_get.outputs.title' };
    w.steps.reverse();
    expect(workflowProblems([w], endpoints)).toEqual([
      'workflow publish_post step posts_get: $steps.posts_create.outputs.id is produced by no earlier step',
      'workflow publish_post outputs: $steps.posts_get.outputs.title is produced by no earlier step',
    ]);
  });

  it('refuses an input the schema does not declare, and a declared token input', () => {
    const w = publishPost();
    w.steps = w.steps.slice(1);
    w.steps[0].requestBody = { payload: { title: '$inputs.title', body: '$inputs.body' } };
    expect(workflowProblems([w], endpoints)).toEqual([
      'workflow publish_post step posts_create: $inputs.body is not in the inputs schema',
    ]);
    w.inputs!.properties.token = { type: 'string' };
    expect(workflowProblems([w], endpoints)).toContain(
      'workflow publish_post: the token input is generated, do not declare it',
    );
  });

  it('has no token input where no step takes a token', () => {
    const login: Workflow = {
      id: 'sign_in',
      summary: 'Sign in.',
      steps: [
        {
          endpoint: 'auth.login',
          does: 'Sign in.',
          requestBody: { payload: { token: '$inputs.token' } },
          successCriteria: ['$statusCode == 200'],
        },
      ],
    };
    expect(workflowProblems([login], endpoints)).toEqual([
      'workflow sign_in step auth_login: $inputs.token is not in the inputs schema',
    ]);
  });

  it('refuses a prose-only step (no successCriteria) and structure on an optional step', () => {
    const w = publishPost();
    w.steps = w.steps.slice(1);
    delete w.steps[1].successCriteria;
    w.steps.push({ endpoint: 'posts.get', id: 'again', optional: true, does: 'x', outputs: {} });
    expect(workflowProblems([w], endpoints)).toEqual([
      'workflow publish_post step posts_get: has no successCriteria (a prose-only step cannot run)',
      'workflow publish_post step again: an optional step is prose only; drop its structure or optional',
    ]);
  });

  it('refuses a duplicate step id, an input format and a workflow output naming a shared step id', () => {
    const w = publishPost();
    w.steps = w.steps.slice(1);
    w.steps.push({ ...w.steps[1] });
    w.inputs!.properties.title = { type: 'string', format: 'email' };
    const other = publishPost();
    other.id = 'other';
    other.steps = other.steps.slice(1);
    other.outputs = {};
    expect(workflowProblems([w, other], endpoints)).toEqual([
      'workflow publish_post: inputs use "format", which runners reject; say it in a description',
      'workflow publish_post step posts_get: the step id is used twice',
      'workflow publish_post outputs: names step posts_create, an id other workflows use too; give the step a unique id',
    ]);
  });
});
