/**
 * Minimal structural schemas of every `--json` output (the public JSON API,
 * documented in the README and docs/doctor.md) and a checker. A schema is a
 * type string ('string', 'number|null', 'iso', 'iso|null', 'a|b' enums with
 * 'enum:'), an object of schemas (extra keys allowed: add fields, never rename),
 * or a one-element array for "array of".
 */
export type Shape = string | { [k: string]: Shape } | [Shape];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function typeOk(v: unknown, t: string): boolean {
  if (t.startsWith('enum:')) return t.slice(5).split(',').includes(v as string);
  return t.split('|').some((one) => {
    switch (one) {
      case 'null':
        return v === null;
      case 'iso':
        return typeof v === 'string' && ISO.test(v);
      case 'object':
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      case 'optional':
        return v === undefined;
      case 'array':
        return Array.isArray(v);
      default:
        return typeof v === one;
    }
  });
}

/** Problems found, as "path: expected X, got Y" lines (empty = valid). */
export function checkShape(v: unknown, s: Shape, path = '$'): string[] {
  if (typeof s === 'string') return typeOk(v, s) ? [] : [`${path}: expected ${s}, got ${JSON.stringify(v)}`];
  if (Array.isArray(s)) {
    if (!Array.isArray(v)) return [`${path}: expected an array, got ${JSON.stringify(v)}`];
    return v.flatMap((x, i) => checkShape(x, s[0], `${path}[${i}]`));
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [`${path}: expected an object, got ${JSON.stringify(v)}`];
  return Object.entries(s).flatMap(([k, sub]) => checkShape((v as Record<string, unknown>)[k], sub, `${path}.${k}`));
}

export const StatusEntry: Shape = {
  platform: 'string',
  name: 'string',
  accountId: 'string',
  username: 'string|null',
  health: 'enum:healthy,expiring,needs_reconnect',
  reason: 'string|null',
  reasonText: 'string|null',
  accessExpiresAt: 'iso|null',
  reconnectBy: 'iso|null',
  daysUntilReconnect: 'number|null',
  reconnectEstimated: 'boolean',
  reconnectWhy: 'string|null',
  lastRefreshAt: 'iso|null',
  fix: 'string|null',
  refreshLock: 'object|null',
};

export const AppEntry: Shape = { platform: 'string', clientId: 'string|null', clientSecret: 'enum:stored,missing,not needed', clientType: 'string|null', login: 'string|null', redirectUri: 'string' };

export const ConnectResult: Shape = { platform: 'string', name: 'string', accountId: 'string', username: 'string|null', reconnected: 'boolean', adoptedTargets: 'number', missingScopes: ['string'] };

export const RefreshReport: Shape = {
  exitCode: 'number',
  startedAt: 'iso',
  finishedAt: 'iso',
  results: [
    {
      connectionId: 'string',
      platform: 'string',
      account: 'string',
      status: 'enum:refreshed,already_refreshed,not_due,reconnect_soon,would_refresh,reconnect_needed,transient,failed',
      detail: 'string',
      reason: 'string|null',
      attempts: 'number',
      accessExpiresAt: 'iso|null',
      reconnectBy: 'iso|null',
      reconnectByEstimated: 'boolean',
      hint: 'string|null',
    },
  ],
  warnings: [{ connectionId: 'string', platform: 'string', account: 'string', reconnectBy: 'iso', estimated: 'boolean', why: 'string' }],
  counts: 'object',
};

/** `token --json`: never a refresh token (test/e2e/token-api.test.ts checks the exact keys). */
export const TokenResult: Shape = { platform: 'string', account: 'string', accessToken: 'string', expiresAt: 'iso|null', scopes: ['string'] };

export const NotifyListEntry: Shape = { channel: 'enum:webhook,email', target: 'string' };

export const ScheduleAddResult: Shape = { id: 'number', scheduledAt: 'iso', tz: 'string', localTime: 'string', targets: [{ platform: 'string', account: 'string' }] };

export const ScheduleListEntry: Shape = { id: 'number', scheduledAt: 'iso', tz: 'string', status: 'string', targets: [{ platform: 'string', state: 'string' }], text: 'string' };

export const ScheduleShowResult: Shape = {
  id: 'number',
  status: 'string',
  scheduledAt: 'iso',
  tz: 'string',
  localTime: 'string',
  text: 'string',
  title: 'string|null',
  privacy: 'string|null',
  options: 'object',
  overrides: 'object',
  media: [{ kind: 'string', path: 'string|null', url: 'string|null', mime: 'string', size: 'number|null', sha256: 'string|null', durationSec: 'number|null' }],
  targets: [
    {
      id: 'number',
      platform: 'string',
      account: 'string',
      state: 'string',
      errorClass: 'string|null',
      reason: 'string|null',
      remoteId: 'string|null',
      url: 'string|null',
      note: 'string|null',
      attempts: [{ at: 'iso', outcome: 'string', errorClass: 'string|null', message: 'string|null' }],
      nextAttemptAt: 'iso|null',
      publishedAt: 'iso|null',
      claim: 'object|null',
    },
  ],
};

export const ScheduleEditResult: Shape = { id: 'number', scheduledAt: 'iso' };

export const ScheduleCancelResult: Shape = { id: 'number', cancelled: ['string'], kept: [{ platform: 'string', state: 'string' }] };

export const PublishReport: Shape = {
  exitCode: 'number',
  results: [{ postId: 'number', targetId: 'number', platform: 'string', account: 'string', outcome: 'string', nextAttemptAt: 'iso|null' }],
};

export const DoctorReport: Shape = {
  exitCode: 'number',
  ok: 'boolean',
  offline: 'boolean',
  checkedAt: 'iso',
  version: 'string',
  counts: { ok: 'number', warn: 'number', fail: 'number', skip: 'number' },
  checks: [
    {
      id: 'string',
      group: 'enum:system,secrets,files,state,config,apps,ports,clock,network,connections,scheduler',
      status: 'enum:ok,warn,fail,skip',
      title: 'string',
      fix: 'string|optional',
      detail: 'array|optional',
    },
  ],
};

export const SecretsWhere: Shape = { backend: 'enum:keychain,file', location: 'string', detail: 'string|optional' };

export const RetryResult: Shape = {
  dryRun: 'boolean',
  exitCode: 'number',
  targets: [
    {
      postId: 'number',
      targetId: 'number',
      platform: 'string',
      account: 'string',
      state: 'enum:failed,unconfirmed',
      errorClass: 'string|null',
      lastError: 'string|null',
      lastAttemptAt: 'iso|null',
      mode: 'enum:new,resume,reconcile',
      fix: 'string|null',
      outcome: 'string|null',
      remoteId: 'string|null',
      url: 'string|null',
      message: 'string|null',
      nextAttemptAt: 'iso|null',
    },
  ],
};
