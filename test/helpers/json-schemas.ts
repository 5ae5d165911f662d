/**
 * Structural schemas of every `--json` output (the public JSON API, documented
 * field by field in docs/json.md) and a checker. A schema is a
 * type string ('string', 'number|null', 'iso', 'iso|null', 'a|b' enums with
 * 'enum:'), an object of schemas,
 * or a one-element array for "array of". Objects are strict: a field the schema does not
 * name is reported (type 'object' accepts any object, for maps such as `counts`).
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
      case 'uri':
        return typeof v === 'string' && URL.canParse(v) && !/[\s<>*]/.test(v);
      case 'command':
        // A socialync command line that runs as it is: no "run:", no <placeholder>, no prose after it.
        return typeof v === 'string' && /^socialync [^<>]+$/.test(v) && !/[;]|, |: /.test(v);
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
  // Every field is documented (docs/json.md): one the schema does not name is a finding too.
  const extra = Object.keys(v).filter((k) => !(k in s)).map((k) => `${path}.${k}: not in the schema (document it in docs/json.md and test/helpers/json-schemas.ts)`);
  return [...extra, ...Object.entries(s).flatMap(([k, sub]) => checkShape((v as Record<string, unknown>)[k], sub, `${path}.${k}`))];
}

export const StatusEntry: Shape = {
  platform: 'string',
  account: 'string',
  accountId: 'string',
  username: 'string|null',
  health: 'enum:healthy,expiring,needs_reconnect',
  reason: 'string|null',
  reasonText: 'string|null',
  accessExpiresAt: 'iso|null',
  reconnectBy: 'iso|null',
  daysUntilReconnect: 'number|null',
  reconnectByEstimated: 'boolean',
  reconnectWhy: 'string|null',
  lifetimeDays: 'number|null',
  lastRefreshAt: 'iso|null',
  fix: 'command|null',
  refreshLock: 'object|null',
};

export const AppEntry: Shape = {
  platform: 'string',
  clientId: 'string|null',
  clientSecret: 'enum:stored,missing,not needed',
  clientType: 'string|null',
  login: 'string|null',
  redirectUri: 'uri|null',
  redirectNote: 'string|null',
};

export const ConnectResult: Shape = {
  platform: 'string',
  account: 'string',
  accountId: 'string',
  username: 'string|null',
  reconnected: 'boolean',
  adoptedTargets: 'number',
  missingScopes: ['string'],
  retry: 'object|null',
};

export const RefreshReport: Shape = {
  exitCode: 'number',
  startedAt: 'iso',
  finishedAt: 'iso',
  results: [
    {
      connectionId: 'string',
      platform: 'string',
      account: 'string',
      status: 'enum:refreshed,already_refreshed,not_due,reconnect_soon,would_refresh,reconnect_needed,transient,failed,cancelled',
      message: 'string',
      reason: 'string|null',
      attempts: 'number',
      accessExpiresAt: 'iso|null',
      reconnectBy: 'iso|null',
      reconnectByEstimated: 'boolean',
      fix: 'command|null',
      hint: 'string|null',
    },
  ],
  warnings: [{ connectionId: 'string', platform: 'string', account: 'string', reconnectBy: 'iso', reconnectByEstimated: 'boolean', reconnectWhy: 'string', fix: 'command' }],
  counts: 'object',
};

/** `token --json`: never a refresh token (test/e2e/token-api.test.ts checks the exact keys). */
export const TokenResult: Shape = { platform: 'string', account: 'string', accessToken: 'string', expiresAt: 'iso|null', scopes: ['string'] };

export const NotifyListEntry: Shape = { channel: 'enum:webhook,email,desktop', target: 'string', kinds: 'array|null', signed: 'boolean' };

export const ScheduleAddResult: Shape = {
  id: 'number',
  scheduledAt: 'iso',
  tz: 'string',
  localTime: 'string',
  targets: [{ platform: 'string', account: 'string' }],
  warnings: [{ platform: 'string', account: 'string|null', day: 'string', count: 'number', limit: 'number', setting: 'string', message: 'string' }],
};

export const ScheduleCalendar: Shape = {
  view: 'enum:week,month',
  tz: 'string',
  from: 'iso',
  until: 'iso',
  days: [
    {
      date: 'string',
      weekday: 'enum:Mon,Tue,Wed,Thu,Fri,Sat,Sun',
      inPeriod: 'boolean',
      counts: 'object',
      posts: [
        {
          id: 'number',
          scheduledAt: 'iso',
          time: 'string',
          offsetMin: 'number',
          status: 'string',
          platforms: ['string'],
          text: 'string',
          reconnectBefore: [{ platform: 'string', account: 'string', reconnectBy: 'iso' }],
        },
      ],
    },
  ],
};

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
  media: [{ kind: 'string', path: 'string|null', url: 'uri|null', mime: 'string', size: 'number|null', sha256: 'string|null', durationSec: 'number|null' }],
  targets: [
    {
      id: 'number',
      platform: 'string',
      account: 'string',
      state: 'string',
      errorClass: 'string|null',
      reason: 'string|null',
      remoteId: 'string|null',
      url: 'uri|null',
      note: 'string|null',
      attempts: [{ at: 'iso', outcome: 'string', errorClass: 'string|null', message: 'string|null' }],
      nextAttemptAt: 'iso|null',
      publishedAt: 'iso|null',
      claim: 'object|null',
    },
  ],
};

export const ScheduleEditResult: Shape = { id: 'number', scheduledAt: 'iso', warnings: ScheduleAddResult.warnings! };

export const ScheduleCancelResult: Shape = { id: 'number', cancelled: ['string'], kept: [{ platform: 'string', state: 'string' }] };

export const PublishReport: Shape = {
  exitCode: 'number',
  results: [
    {
      postId: 'number',
      targetId: 'number',
      platform: 'string',
      account: 'string',
      outcome: 'string',
      remoteId: 'string|null',
      url: 'uri|null',
      note: 'string|null',
      errorClass: 'string|null',
      message: 'string|null',
      nextAttemptAt: 'iso|null',
      fix: 'command|null',
    },
  ],
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
      group: 'enum:system,secrets,files,state,config,apps,ports,clock,network,connections,scheduler,notify',
      status: 'enum:ok,warn,fail,skip',
      title: 'string',
      fix: 'command|null',
      hint: 'string|null',
      detail: ['string'],
    },
  ],
};

export const SecretsWhere: Shape = {
  backend: 'enum:keychain,file,team',
  location: 'string',
  detail: 'string|null',
  teamStore: 'string|null',
  teamId: 'string|null',
  machine: 'string|null',
  machineFingerprint: 'string|null',
  machineKey: 'string|null',
};

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
      fix: 'command|null',
      outcome: 'string|null',
      remoteId: 'string|null',
      url: 'uri|null',
      message: 'string|null',
      nextAttemptAt: 'iso|null',
    },
  ],
};

/** { field path: type } of a schema: `[].account`, `results[].fix`, `counts.ok` (docs/json.md rows). */
export function flattenShape(s: Shape, path = ''): Record<string, string> {
  if (typeof s === 'string') return { [path]: s };
  if (Array.isArray(s)) {
    if (typeof s[0] === 'string') return { [path]: `${s[0]}[]` };
    return flattenShape(s[0], `${path}[]`);
  }
  return Object.assign({}, ...Object.entries(s).map(([k, sub]) => flattenShape(sub, path ? `${path}.${k}` : k)));
}

export const ConfigEntry: Shape = {
  key: 'string',
  value: 'string|number|boolean|null',
  source: 'enum:config,env,default,unset',
  default: 'string|number|boolean|null',
  description: 'string',
};

export const DbStatus: Shape = {
  store: 'enum:sqlite,postgres',
  location: 'string',
  source: 'enum:default,env,config',
  schemaVersion: 'number',
  latestVersion: 'number',
  pendingMigrations: ['number'],
  latencyMs: 'number|null',
};

export const TeamStatus: Shape = {
  store: 'string',
  teamId: 'string|null',
  keyVersion: 'number|null',
  entries: 'number|null',
  machine: 'string|null',
  machineState: 'string|null',
  unlocked: 'boolean|null',
  dataKeyFingerprint: 'string|null',
  message: 'string|null',
  fix: 'command|null',
  hint: 'string|null',
  machines: [{ machine: 'string', state: 'enum:pending,member', fingerprint: 'string', thisMachine: 'boolean', requestedAt: 'iso', approvedAt: 'iso|null', approvedBy: 'string|null' }],
};
