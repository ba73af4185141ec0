import { validateJobSpec, type SpecIssue, type SpecValidation } from '@ezlive/domain';

/**
 * The domain validator, behind one guard: an array *inside* `video`/`audio` (`[[]]`)
 * passes class-validator's nested checks and then crashes the cross-field rules
 * (found by the property test; reported to the domain owner). Until the domain rejects
 * it, the API names the field itself so such a body is a 400, never a 500.
 */
export function validateSpec(body: unknown): SpecValidation {
  const errors: SpecIssue[] = [];
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const key of ['video', 'audio'] as const) {
      const list = (body as Record<string, unknown>)[key];
      if (!Array.isArray(list)) continue;
      list.forEach((item, i) => {
        if (Array.isArray(item))
          errors.push({
            path: `${key}[${i}]`,
            code: 'NOT_AN_OBJECT',
            message: 'each rendition must be an object',
          });
      });
    }
  }
  return errors.length > 0 ? { ok: false, errors, warnings: [] } : validateJobSpec(body);
}
