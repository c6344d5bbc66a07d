/**
 * The URL with its password masked (`postgres://ann:***@db/crm`), for messages, logs and reports
 * that name a database. A URL that does not parse still has whatever sits between `user:` and `@`
 * masked.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
  }
}
