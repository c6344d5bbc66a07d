// One Postgres for the run: RAPPORT_TEST_PG_URL (failing loudly when unreachable), or an embedded
// server started for it. Tests read its URL with `inject('pgAdminUrl')`.
export { postgresGlobalSetup as default } from '@rapport/testkit/postgres';
