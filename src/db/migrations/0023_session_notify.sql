-- Servers keep live sessions in memory for a short while (src/auth/session-cache.ts). Any change to a
-- session or a user (logout, revocation, a password change, a disabled account, a new role) tells every
-- process listening on the database to forget what it keeps: NOTIFY is sent at commit, so a rolled-back
-- change tells nobody. One notice per statement, not per row.
CREATE FUNCTION notify_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('minzheng_sessions', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sessions_changed AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
--> statement-breakpoint
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
