/**
 * The demo accounts seeded into an empty embedded database (lib/stories/demo.ts). Kept free of imports so that the
 * start script (scripts/start-app.ts) can print them the moment the server listens, before the app has loaded.
 */
export const demoAccounts = {
  admin: { email: "admin@storysprout.local", password: "sprout-admin", name: "Ada Admin" },
  author: { email: "author@storysprout.local", password: "sprout-author", name: "Mara Author" },
} as const;
