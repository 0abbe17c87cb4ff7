/**
 * The classifier's errors: the case text it refuses, its model versions (promote, rollback,
 * retrain), the site's emergency rules and contexts, and dispatchers' feedback. Emergency
 * rules are the classifier's (it runs them), so their codes are declared here, not in emergency/.
 */
import { defineErrors } from '../core/index.js';

export const ClassifierErrors = defineErrors('classifier', {
  CLASSIFIER_TEXT_NOT_STRING: { status: 400, message: 'The text must be a string.' },
  CLASSIFIER_TEXT_EMPTY: { status: 400, message: 'The text is empty: give the case description in Chinese.' },
  CLASSIFIER_TEXT_TOO_LONG: {
    status: 400,
    message: 'The text has {length} characters; at most {max} are accepted: send the case description only.',
  },
  CLASSIFIER_TEXT_NOT_CHINESE: {
    status: 400,
    message: 'The text has no Chinese characters: the classifier only understands Chinese case descriptions.',
  },
  CLASSIFIER_NO_ACTIVE_MODEL: {
    status: 503,
    message: 'No classifier model is active: run "hotline classifier train" or promote a version.',
  },
  CLASSIFIER_MODEL_UNLOADABLE: { status: 503, message: 'The active classifier {version} cannot be loaded from {path}: {reason}' },
  // `how` is what the caller names the version with: "version name" (API) or "--version" (CLI).
  CLASSIFIER_VERSION_EXISTS: { status: 409, message: 'Model version {version} is already registered: choose another {how}.' },
  CLASSIFIER_VERSION_NOT_FOUND: {
    status: 404,
    message: 'No classifier version {version}: list them with "hotline classifier models".',
  },
  CLASSIFIER_VERSION_FILES_MISSING: {
    status: 409,
    message: 'The files of version {version} are missing at {path}: it cannot be activated.',
  },
  CLASSIFIER_PROMOTION_REFUSED: {
    status: 409,
    message: 'Version {version} was not promoted: {refusal}. Promote it anyway with --force (API: "force": true).',
  },
  CLASSIFIER_NOTHING_ACTIVE: { status: 409, message: 'No classifier version is active, so there is nothing to roll back.' },
  CLASSIFIER_NO_EARLIER_VERSION: { status: 409, message: 'Version {version} has no earlier version to roll back to.' },

  // `what` names the field (pattern, except entry, context pattern); `pattern` is its JSON-quoted text.
  EMERGENCY_PATTERN_INVALID: { status: 400, message: 'The {what} {pattern} is not a valid regular expression: {reason}.' },
  EMERGENCY_PATTERN_MATCHES_EMPTY: { status: 400, message: 'The {what} {pattern} matches empty text: it would match everywhere.' },
  // The advice is a parameter because its examples hold braces ({0,6}) the template would read as placeholders.
  EMERGENCY_PATTERN_SLOW: {
    status: 400,
    message: 'The {what} {pattern} {risk}: write it without repeating a repetition, e.g. {example}.',
  },
  EMERGENCY_RULE_PATTERN_EMPTY: { status: 400, message: 'The rule pattern is empty: give a keyword such as 持刀.' },
  EMERGENCY_LINE_INVALID: { status: 400, message: 'Line {line} is not an emergency line: use 110, 119 or 120.' },
  EMERGENCY_TOO_MANY_EXCEPTS: { status: 400, message: 'A rule has at most 50 except entries, not {count}: merge some with |.' },
  EMERGENCY_EXCEPT_EMPTY: { status: 400, message: 'An except entry is empty: give a phrase such as 火灾隐患, or remove it.' },
  EMERGENCY_CONTEXT_PATTERN_EMPTY: { status: 400, message: 'The context pattern is empty: give a phrase such as 去年.' },
  EMERGENCY_CONTEXT_ROLE_INVALID: { status: 400, message: 'Role {role} is not a context role: use before, after or now.' },
  // 400, not 409, as the API has always answered a duplicate rule or context.
  EMERGENCY_RULE_EXISTS: { status: 400, message: 'A {kind} rule {pattern} already exists: edit that one instead.' },
  EMERGENCY_RULE_NOT_FOUND: { status: 404, message: 'No emergency rule {id}: list them with GET /api/classifier/emergency-rules.' },
  EMERGENCY_CONTEXT_EXISTS: { status: 400, message: 'A {role} context {pattern} already exists: edit that one instead.' },
  EMERGENCY_CONTEXT_NOT_FOUND: {
    status: 404,
    message: 'No emergency context {id}: list them with GET /api/classifier/emergency-contexts.',
  },

  CLASSIFIER_FEEDBACK_TEXT_EMPTY: { status: 400, message: 'Feedback needs the case text: it is empty.' },
  CLASSIFIER_FEEDBACK_CATEGORY_MISSING: { status: 400, message: 'Feedback needs the final category id.' },
});
