/** The LISTEN/NOTIFY channel on which a commit that added due work wakes every engine on the database. */
export const WAKE_CHANNEL = "inngest_engine";

/** The payload of a wake sent by a sync that changed the registered functions: every engine drops its cached list. */
export const FUNCTIONS_CHANGED = "functions";
