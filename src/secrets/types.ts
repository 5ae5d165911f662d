/**
 * Secret store interface (STYLE.md habit 9). Tokens, client secrets and the
 * SMTP password live only behind this; never in SQLite, config, logs or argv.
 */
/** `team`: entries in the shared database, encrypted with the team's data key (team-vault.ts). */
export type SecretBackend = 'keychain' | 'file' | 'team';

export interface SecretBackendInfo {
  backend: SecretBackend;
  /** Human description of where secrets live, for status/doctor. */
  location: string;
  detail?: string;
}

export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Whether a secret is stored, without reading it (optional: callers fall back to get). */
  has?(key: string): Promise<boolean>;
  describe(): SecretBackendInfo;
  /**
   * Keeps `value` outside the usual place when `set` cannot write there (a full or broken
   * disk); `get` returns it first and moves it back once it can. Returns where it went.
   */
  setAside?(key: string, value: string): Promise<string>;
}

/** Secret keys used across the code base. */
export const secretKeys = {
  connection: (connectionId: string) => `conn.${connectionId}`,
  clientSecret: (platform: string) => `app.${platform}.client_secret`,
  smtpPassword: () => 'notify.smtp.password',
  /** An app registered on one server at connect time (Mastodon): JSON RegisteredApp, keyed by origin. */
  instanceApp: (platform: string, origin: string) => `app.${platform}.instance.${origin}`,
};

/** Whether `key` is stored: through has() where the store offers it, else by reading it. */
export async function secretStored(store: SecretStore, key: string): Promise<boolean> {
  return store.has ? store.has(key) : (await store.get(key)) !== undefined;
}
