import type { VolumeRule } from '../../domain/circuit-breaker/index.js';
import { assertValidBreakerSettings, type BreakerSettings } from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS, SERVICE_NAMES, type ServiceName } from './breaker-defaults.js';
import { PipelineError } from '../../domain/errors.js';

export type BreakerSettingsByService = Readonly<Record<ServiceName, BreakerSettings>>;

/** What a stage may override per service: any seed setting, and any field of the volume rule (null: no volume rule). */
export type BreakerOverride = Partial<Omit<BreakerSettings, 'volume'>> & { readonly volume?: Partial<VolumeRule> | null };
export type BreakerOverrides = Readonly<Partial<Record<ServiceName, BreakerOverride>>>;

const SEED_FIELDS = ['failureThreshold', 'recoveryTimeoutMs', 'halfOpenMaxProbes', 'failureWindowMs', 'volume'] as const;
const VOLUME_FIELDS = [
  'failureRatio',
  'minimumCalls',
  'windowCalls',
  'windowMs',
  'slowCallMs',
  'slowCallRatio',
  'consecutiveFailures',
  'cleanRunFailures',
] as const;

/** The per-service defaults with `overrides` laid over them, each service validated. */
export function resolveBreakerSettings(overrides: BreakerOverrides): BreakerSettingsByService {
  const resolved = Object.fromEntries(
    SERVICE_NAMES.map((service) => {
      const base = SERVICE_BREAKER_SETTINGS[service];
      const { volume, ...seed } = overrides[service] ?? {};
      const merged: BreakerSettings = { ...base, ...seed };
      if (volume === null) return [service, withoutVolume(merged)];
      const rule = volume === undefined ? base.volume : ({ ...base.volume, ...volume } as VolumeRule);
      return [service, rule === undefined ? withoutVolume(merged) : { ...merged, volume: rule }];
    }),
  ) as Record<ServiceName, BreakerSettings>;
  for (const service of SERVICE_NAMES) assertValidBreakerSettings(resolved[service], service);
  return resolved;
}

/**
 * Reads BREAKER_SETTINGS: a JSON object of per-service overrides, e.g.
 * `{"dynamodb":{"recoveryTimeoutMs":10000,"volume":{"failureRatio":0.6}}}`. Every problem is pushed.
 */
export function parseBreakerSettings(raw: string | undefined, problems: string[]): BreakerSettingsByService {
  if (raw === undefined || raw.trim() === '') return SERVICE_BREAKER_SETTINGS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('BREAKER_SETTINGS must be a JSON object');
    return SERVICE_BREAKER_SETTINGS;
  }
  const shapeProblems = overrideShapeProblems(parsed);
  if (shapeProblems.length > 0) {
    problems.push(...shapeProblems.map((problem) => `BREAKER_SETTINGS: ${problem}`));
    return SERVICE_BREAKER_SETTINGS;
  }
  try {
    return resolveBreakerSettings(parsed as BreakerOverrides);
  } catch (error) {
    problems.push(`BREAKER_SETTINGS: ${error instanceof PipelineError ? error.message : String(error)}`);
    return SERVICE_BREAKER_SETTINGS;
  }
}

function overrideShapeProblems(value: unknown): string[] {
  if (!isObject(value)) return ['must be a JSON object'];
  const problems: string[] = [];
  for (const [service, override] of Object.entries(value)) {
    if (!(SERVICE_NAMES as readonly string[]).includes(service)) {
      problems.push(`unknown service "${service}" (${SERVICE_NAMES.join(', ')})`);
      continue;
    }
    if (!isObject(override)) {
      problems.push(`${service} must be an object`);
      continue;
    }
    for (const [field, setting] of Object.entries(override)) {
      if (!(SEED_FIELDS as readonly string[]).includes(field)) problems.push(`${service}.${field} is not a breaker setting`);
      else if (field === 'volume') problems.push(...volumeShapeProblems(service, setting));
      else if (typeof setting !== 'number') problems.push(`${service}.${field} must be a number`);
    }
  }
  return problems;
}

function volumeShapeProblems(service: string, volume: unknown): string[] {
  if (volume === null) return [];
  if (!isObject(volume)) return [`${service}.volume must be an object or null`];
  return Object.entries(volume).flatMap(([field, setting]) => {
    if (!(VOLUME_FIELDS as readonly string[]).includes(field)) return [`${service}.volume.${field} is not a volume rule setting`];
    return typeof setting === 'number' ? [] : [`${service}.volume.${field} must be a number`];
  });
}

function withoutVolume(settings: BreakerSettings): BreakerSettings {
  const { volume: _volume, ...seed } = settings;
  return seed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
