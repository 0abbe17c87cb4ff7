/** org's refusals: the category catalogue a site edits. */
import { defineErrors } from '../core/index.js';

export const OrgErrors = defineErrors('org', {
  CATEGORY_NOT_FOUND: { status: 404, message: 'Category {id} does not exist: list them with GET /api/categories.' },
  CATEGORY_CODE_TAKEN: {
    status: 409,
    message: 'A category with code {code} already exists: choose another code or edit that one.',
  },
  PARENT_CATEGORY_NOT_FOUND: { status: 404, message: 'Parent category {id} does not exist: list them with GET /api/categories.' },
});
