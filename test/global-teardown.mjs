// Stops the embedded PostgreSQL that test/global-setup.mjs started, if it started one, and removes its folder.
import fs from 'node:fs';

export default async function globalTeardown() {
  const embedded = globalThis.__dubanEmbeddedPostgres;
  if (!embedded) return;
  await embedded.server.stop();
  fs.rmSync(embedded.root, { recursive: true, force: true });
}
