/** The LISTEN/NOTIFY channel on which a commit that added due work wakes every engine on the database. */
export const WAKE_CHANNEL = "inngest_engine";
