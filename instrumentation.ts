// Runs once when the Next.js server starts (not during `next build`).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { snapshotProcessEnv } = await import("./lib/server/process-env");
  snapshotProcessEnv();
  const { stampPeerAddresses } = await import("./lib/server/peer-address");
  stampPeerAddresses();
  const { startServer } = await import("./lib/server/start");
  await startServer();
}
