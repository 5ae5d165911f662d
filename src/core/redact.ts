/**
 * Redaction for anything that may be logged (--debug HTTP log, error messages).
 * Secrets never leave the process in clear text.
 */
const SECRET_KEYS = /^(access_token|refresh_token|client_secret|code|code_verifier|fb_exchange_token|id_token|token|password|input_token|authorization|x-upload-session)$/i;

/** Registry of secret values seen at runtime, so they can be scrubbed from any text. */
const known = new Set<string>();

export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

export function redactText(text: string): string {
  let t = text;
  for (const s of known) if (t.includes(s)) t = t.split(s).join('[redacted]');
  t = t.replace(/(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [redacted]');
  t = t.replace(/([?&](?:access_token|refresh_token|client_secret|code|code_verifier|fb_exchange_token|input_token|token)=)[^&\s"]+/gi, '$1[redacted]');
  t = t.replace(/("(?:access_token|refresh_token|client_secret|code_verifier|id_token|token|password)"\s*:\s*")[^"]*"/gi, '$1[redacted]"');
  return t;
}

export function redactUrl(u: string | URL): string {
  const url = new URL(String(u));
  for (const k of [...url.searchParams.keys()]) if (SECRET_KEYS.test(k)) url.searchParams.set(k, '[redacted]');
  return redactText(url.toString());
}

