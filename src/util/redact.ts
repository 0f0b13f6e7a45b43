// Secrets (OIDC tokens, keys, prompt text) must never reach output. Adapters register every
// secret they handle; the CLI and the action entries pass all output through `redact`.
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= 8) secrets.add(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  // A JWT-shaped string is a token whether or not anyone registered it.
  return out.replace(/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, '***');
}
