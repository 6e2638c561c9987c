import { MAX_PROMPT_LENGTH } from '../runs/runs.dto.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

/**
 * Renders a rule's prompt template: `{{name}}` and `{{a.b.c}}` are looked up in `context`
 * (strings as they are, anything else as JSON; unknown names render empty). The result is cut
 * to the prompt limit, so a large inbound payload cannot make an over-long run.
 */
export function renderPrompt(template: string, context: Record<string, unknown>): string {
  const rendered = template.replace(PLACEHOLDER, (_match, path: string) => {
    let value: unknown = context;
    for (const key of path.split('.')) {
      value =
        value !== null && typeof value === 'object' && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  return rendered.length > MAX_PROMPT_LENGTH ? rendered.slice(0, MAX_PROMPT_LENGTH) : rendered;
}
