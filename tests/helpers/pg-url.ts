/** The name of the migrated template database that each test file clones on a real PostgreSQL. */
export function templateDatabaseName(baseUrl: string): string {
  const base = new URL(baseUrl).pathname.replace(/^\//, "") || "postgres";
  return `${base}_tmpl`.replace(/[^a-zA-Z0-9_]/g, "_");
}

export function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
