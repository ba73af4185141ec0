import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { AudioRendition, Destination, JobSpec, VideoRendition } from './job-spec';
import { JobSpecSchema, type DestinationSchema } from './job-spec.schema';
import type { SpecErrorCode, SpecIssue } from './spec-issue';
import { checkSpecRules, collectWarnings } from './spec-rules';
import { DEFAULT_PRESET } from './codec-rules';

export type SpecValidation =
  | { ok: true; spec: JobSpec; warnings: SpecIssue[] }
  | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };

/** Bodies deeper than this are rejected before any recursive library code sees them. */
const MAX_DEPTH = 8;
const MAX_NODES = 2_000;

const CONSTRAINT_CODES: Record<string, SpecErrorCode> = {
  isDefined: 'REQUIRED',
  whitelistValidation: 'UNKNOWN_FIELD',
  nestedValidation: 'INVALID_TYPE',
  unknownValue: 'INVALID_TYPE',
  isString: 'NOT_A_STRING',
  isObject: 'NOT_AN_OBJECT',
  isArray: 'NOT_AN_ARRAY',
  isNumber: 'NOT_A_NUMBER',
  isInt: 'NOT_INTEGER',
  isIn: 'NOT_ALLOWED',
  min: 'TOO_SMALL',
  max: 'TOO_LARGE',
  minLength: 'TOO_SHORT',
  maxLength: 'TOO_LONG',
  arrayMinSize: 'TOO_FEW',
  arrayMaxSize: 'TOO_MANY',
  arrayUnique: 'DUPLICATE',
  matches: 'INVALID_FORMAT',
  isUrl: 'INVALID_URL',
};

/**
 * Validates an untrusted request body and returns either the normalised spec (defaults
 * filled) or every field-level error. Never throws on any JSON value.
 */
export function validateJobSpec(body: unknown): SpecValidation {
  const shapeError = checkShape(body);
  if (shapeError) return { ok: false, errors: [shapeError], warnings: [] };

  const instance = plainToInstance(JobSpecSchema, body as object);
  const structural = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).flatMap((e) => flatten(e, ''));
  if (structural.length > 0) return { ok: false, errors: structural, warnings: [] };

  const spec = normalise(instance);
  const errors = checkSpecRules(spec, instance);
  const warnings = collectWarnings(spec);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, spec, warnings };
}

function checkShape(body: unknown): SpecIssue | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { path: '', code: 'INVALID_BODY', message: 'the job spec must be a JSON object' };
  }
  let nodes = 0;
  const stack: Array<[unknown, number, string]> = [[body, 0, '']];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    if (++nodes > MAX_NODES) {
      return {
        path: '',
        code: 'TOO_DEEP',
        message: `the job spec has more than ${MAX_NODES} values`,
      };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) {
      return { path, code: 'TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels` };
    }
    for (const [k, v] of Object.entries(value)) {
      stack.push([v, depth + 1, Array.isArray(value) ? `${path}[${k}]` : join(path, k)]);
    }
  }
  return undefined;
}

function flatten(error: ValidationError, parent: string): SpecIssue[] {
  const path = /^\d+$/.test(error.property)
    ? `${parent}[${error.property}]`
    : join(parent, error.property);
  const own = Object.entries(error.constraints ?? {})
    // A nested-type complaint is noise when the children explain the problem.
    .filter(([key]) => !(key === 'nestedValidation' && error.children?.length))
    .map(([key, message]) => ({
      path,
      code: CONSTRAINT_CODES[key] ?? 'INVALID_TYPE',
      message: key === 'whitelistValidation' ? `unknown field '${error.property}'` : message,
    }));
  return [...own, ...(error.children ?? []).flatMap((c) => flatten(c, path))];
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function normalise(s: JobSpecSchema): JobSpec {
  const output = s.output ?? {};
  return {
    name: s.name,
    input: { protocol: s.input.protocol, reconnectWindowSec: s.input.reconnectWindowSec ?? 30 },
    output: {
      formats: output.formats ?? ['hls'],
      segmentFormat: output.segmentFormat ?? 'fmp4',
      segmentDurationSec: output.segmentDurationSec ?? 2,
      windowSec: output.windowSec ?? 60,
      destination: normaliseDestination(output.destination),
    },
    video: (s.video ?? []).map((v): VideoRendition => {
      const maxBitrateKbps = v.maxBitrateKbps ?? v.bitrateKbps;
      return {
        name: v.name,
        codec: v.codec,
        width: v.width,
        height: v.height,
        ...(v.framerateFps === undefined ? {} : { framerateFps: v.framerateFps }),
        bitrateKbps: v.bitrateKbps,
        maxBitrateKbps,
        bufferSizeKbps: v.bufferSizeKbps ?? 2 * maxBitrateKbps,
        preset: v.preset ?? DEFAULT_PRESET[v.codec],
        ...(v.profile === undefined ? {} : { profile: v.profile }),
      };
    }),
    audio: (s.audio ?? []).map((a): AudioRendition => ({
      name: a.name,
      codec: a.codec,
      bitrateKbps: a.bitrateKbps,
      channels: a.channels ?? 2,
      sampleRateHz: a.sampleRateHz ?? 48000,
    })),
  };
}

function normaliseDestination(d: DestinationSchema | undefined): Destination {
  if (!d || d.type === 'local') return { type: 'local' };
  if (d.type === 'http') return { type: 'http', baseUrl: d.baseUrl ?? '' };
  return {
    type: 's3',
    bucket: d.bucket ?? '',
    ...(d.prefix === undefined ? {} : { prefix: d.prefix }),
    ...(d.region === undefined ? {} : { region: d.region }),
    ...(d.endpoint === undefined ? {} : { endpoint: d.endpoint }),
  };
}
