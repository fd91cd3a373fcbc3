/**
 * A database in retention's steady state, for checking query plans: tens of thousands of rows
 * per kind, of which about 1% has aged out (retention runs hourly, so each run finds a thin
 * slice). Statistics are gathered, so the planner chooses as it would in production.
 */
export const RETENTION_VOLUME_SQL = `
INSERT INTO users (id, email, password_hash, role, projects)
  VALUES ('00000000-0000-4000-8000-000000000001', 'volume@test.local', 'x', 'ADMIN', '{}');
INSERT INTO webhook_subscriptions (id, url, event_types, secret_encrypted, created_by)
  VALUES ('00000000-0000-4000-8000-000000000002', 'http://127.0.0.1:9/', '{x}', 'x', 'volume');

INSERT INTO outbox_events (id, type, aggregate_id, data, created_at, published_at, fanned_out_at)
  SELECT gen_random_uuid(), 'volume', g::text, '{}', t, t, t
  FROM generate_series(1, 60000) g, LATERAL (SELECT now() - (CASE WHEN g % 100 = 0 THEN 60 ELSE g % 25 END) * interval '1 day' AS t) x;
INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, updated_at)
  SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000002', id,
         (CASE WHEN random() < 0.02 THEN 'PENDING' ELSE 'DELIVERED' END)::"WebhookDeliveryStatus", created_at
  FROM outbox_events WHERE random() < 0.8;

INSERT INTO chain_transactions (id, purpose, chain_id, from_address, nonce, to_address, data, gas_limit, max_fee_per_gas,
    max_priority_fee_per_gas, raw_tx, hash, status, mined_hash, block_number, created_at, payload_pruned_at)
  SELECT gen_random_uuid(), 'volume:' || g, 1, '0x0000000000000000000000000000000000000001', g, '0x0', '', 21000, 1, 1, '',
         h, 'MINED', h, g, now() - (CASE WHEN g <= 39600 THEN 200 - g / 400 ELSE 90 - (g - 39600) / 5 END) * interval '1 day',
         CASE WHEN g <= 39600 THEN now() END
  FROM generate_series(1, 40000) g, LATERAL (SELECT '0x' || md5(g::text) || md5(g::text) AS h) x;
INSERT INTO chain_transaction_versions (hash, tx_id, nonce, kind, raw_tx, max_fee_per_gas, max_priority_fee_per_gas)
  SELECT hash, id, nonce, 'ORIGINAL', '', 1, 1 FROM chain_transactions;

INSERT INTO idempotency_records (actor, key, fingerprint, response_status, created_at, expires_at)
  SELECT 'user:volume', g::text, 'f', 202, now() - (g % 1440) * interval '1 minute',
         now() - (g % 1440) * interval '1 minute' + interval '1 day' - (CASE WHEN g % 100 = 0 THEN interval '2 days' ELSE interval '0' END)
  FROM generate_series(1, 40000) g;

INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, revoked_at, created_at)
  SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', ('00000000-0000-4000-8000-' || lpad((g / 20)::text, 12, '0'))::uuid,
         md5(g::text) || md5((-g)::text), now() + (CASE WHEN g % 100 = 0 THEN -40 ELSE 14 - g % 44 END) * interval '1 day',
         CASE WHEN g % 20 <> 19 THEN now() - (g % 44) * interval '1 day' END, now() - (g % 44) * interval '1 day'
  FROM generate_series(1, 40000) g;

INSERT INTO audit_logs (at, actor_kind, actor_id, action, request_id, status)
  SELECT now() - (CASE WHEN g % 100 = 0 THEN 3000 ELSE g % 2000 END) * interval '1 day', 'user', 'volume', 'POST /v1/x', g::text, 201
  FROM generate_series(1, 60000) g;

ANALYZE;
`;
