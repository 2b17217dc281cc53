#pragma once

// The statements whose analysis tests/sql/server_agreement_test.cpp holds
// against a real PostgreSQL (15 or later). Every lock below was measured on
// the server: the strongest table-level lock the statement takes on a
// relation that existed before it ran.

#include <optional>
#include <string_view>

#include "safedb/sql/analysis.h"

namespace safedb::test::agreement {

using sql::LockMode;

// Tables with data, indexes, foreign keys (one NOT VALID), a materialized
// view, a sequence, a view, a partitioned table, a trigger and an enum.
inline constexpr std::string_view kSchema = R"sql(
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text,
                        status text DEFAULT 'active');
INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'name ' || g, 'active'
  FROM generate_series(1, 100) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id),
                     total numeric NOT NULL, note text, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO orders SELECT g, 1 + g % 100, g * 1.5, NULL, now() FROM generate_series(1, 200) g;
CREATE INDEX orders_customer_idx ON orders (customer_id);
ALTER TABLE orders CLUSTER ON orders_pkey;
CREATE TABLE items (id bigint NOT NULL, order_id bigint NOT NULL, qty int NOT NULL);
INSERT INTO items SELECT g, 1 + g % 200, 1 + g % 5 FROM generate_series(1, 300) g;
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL, amount numeric NOT NULL);
INSERT INTO payments SELECT g, g, 10 FROM generate_series(1, 50) g;
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;
ALTER TABLE payments ADD CONSTRAINT payments_amount_check CHECK (amount > 0) NOT VALID;
CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text NOT NULL);
INSERT INTO audit_log (message) SELECT 'event ' || g FROM generate_series(1, 20) g;
CREATE MATERIALIZED VIEW order_totals AS
  SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX order_totals_customer ON order_totals (customer_id);
CREATE SEQUENCE invoice_seq;
CREATE VIEW active_customers AS SELECT id, email FROM customers WHERE status = 'active';
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (LIKE events INCLUDING ALL);
INSERT INTO events VALUES (1, '2024-05-01', 'x'), (2, '2024-06-01', 'y');
CREATE INDEX events_at_idx ON events (at);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TYPE mood AS ENUM ('happy', 'sad');
ANALYZE;
)sql";

// Whether PostgreSQL runs the statement inside BEGIN, or refuses it with
// SQLSTATE 25001 (it "cannot run inside a transaction block").
enum class InTransaction { runs, refused };

struct Case {
  std::string_view sql;
  InTransaction in_transaction;
  // The strongest lock on a pre-existing relation. For statements refused in
  // a transaction it is measured from another session on the table `probe`
  // only (see observe_by_blocking), so locks on other relations, indexes in
  // particular, go unseen; nullopt when not measured.
  std::optional<LockMode> lock;
  std::string_view probe = {};
};

constexpr InTransaction runs = InTransaction::runs;
constexpr InTransaction refused = InTransaction::refused;

// Statements on which the analyser and PostgreSQL agree.
inline constexpr Case kCorpus[] = {
    // Reads and writes.
    {"SELECT * FROM customers WHERE id = 1", runs, LockMode::access_share},
    {"SELECT * FROM customers WHERE id = 1 FOR UPDATE", runs, LockMode::row_share},
    {"SELECT * FROM orders FOR SHARE", runs, LockMode::row_share},
    {"SELECT * FROM customers FOR KEY SHARE", runs, LockMode::row_share},
    {"SELECT * FROM orders FOR NO KEY UPDATE SKIP LOCKED", runs, LockMode::row_share},
    {"SELECT c.email, o.total FROM customers c JOIN orders o ON o.customer_id = c.id", runs,
     LockMode::access_share},
    {"SELECT * FROM active_customers", runs, LockMode::access_share},
    {"SELECT * FROM order_totals", runs, LockMode::access_share},
    {"SELECT * FROM events", runs, LockMode::access_share},
    {"SELECT * INTO orders_snapshot FROM orders", runs, LockMode::access_share},
    {"INSERT INTO customers (id, email) VALUES (1000, 'new@example.com')", runs,
     LockMode::row_exclusive},
    {"INSERT INTO orders (id, customer_id, total) VALUES (1000, 1, 1)", runs,
     LockMode::row_exclusive},
    {"INSERT INTO audit_log (message) SELECT email FROM customers", runs, LockMode::row_exclusive},
    {"INSERT INTO events VALUES (3, '2024-07-01', 'z')", runs, LockMode::row_exclusive},
    {"INSERT INTO customers (id, email) VALUES (1, 'x@example.com') "
     "ON CONFLICT (id) DO UPDATE SET email = excluded.email",
     runs, LockMode::row_exclusive},
    {"INSERT INTO customers (id, email) VALUES (1, 'x@example.com') ON CONFLICT DO NOTHING", runs,
     LockMode::row_exclusive},
    {"UPDATE customers SET name = 'renamed' WHERE id = 1", runs, LockMode::row_exclusive},
    {"UPDATE orders SET customer_id = 2 WHERE id = 1", runs, LockMode::row_exclusive},
    {"UPDATE orders SET total = 0 FROM customers "
     "WHERE customers.id = orders.customer_id AND customers.status = 'gone'",
     runs, LockMode::row_exclusive},
    {"UPDATE events SET payload = 'z'", runs, LockMode::row_exclusive},
    {"DELETE FROM items WHERE id = 1", runs, LockMode::row_exclusive},
    {"DELETE FROM audit_log", runs, LockMode::row_exclusive},
    {"DELETE FROM customers WHERE id = 1000", runs, LockMode::row_exclusive},
    {"DELETE FROM events WHERE at < '2024-06-01'", runs, LockMode::row_exclusive},
    {"WITH d AS (DELETE FROM items WHERE id < 10 RETURNING *) SELECT count(*) FROM d", runs,
     LockMode::row_exclusive},
    {"MERGE INTO customers c USING (VALUES (1, 'merged')) v (id, name) ON c.id = v.id "
     "WHEN MATCHED THEN UPDATE SET name = v.name "
     "WHEN NOT MATCHED THEN INSERT (id, email, name) VALUES (v.id, 'm@example.com', v.name)",
     runs, LockMode::row_exclusive},
    {"EXPLAIN ANALYZE DELETE FROM items", runs, LockMode::row_exclusive},
    {"COPY orders TO '/dev/null'", runs, LockMode::access_share},
    {"COPY items FROM '/dev/null'", runs, LockMode::row_exclusive},
    // ALTER TABLE.
    {"ALTER TABLE customers ADD COLUMN phone text", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers ADD COLUMN score int NOT NULL DEFAULT 0", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE items ADD COLUMN order_ref bigint REFERENCES orders (id)", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE orders ADD COLUMN ref bigint GENERATED ALWAYS AS IDENTITY", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE events ADD COLUMN source text", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders DROP COLUMN note", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers DROP COLUMN status CASCADE", runs, LockMode::access_exclusive},
    {"ALTER TABLE items ALTER COLUMN qty TYPE bigint", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers ALTER COLUMN name TYPE varchar(100)", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers ALTER COLUMN name SET NOT NULL", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers ALTER COLUMN email DROP NOT NULL", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'new'", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE customers ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE orders ALTER COLUMN note SET STORAGE EXTERNAL", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders ALTER COLUMN total SET STATISTICS 500", runs,
     LockMode::share_update_exclusive},
    {"ALTER TABLE customers ALTER COLUMN name SET (n_distinct = 100)", runs,
     LockMode::share_update_exclusive},
    {"ALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders "
     "(id)",
     runs, LockMode::share_row_exclusive},
    {"ALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) "
     "REFERENCES orders (id) NOT VALID",
     runs, LockMode::share_row_exclusive},
    {"ALTER TABLE items ADD CONSTRAINT items_qty_check CHECK (qty > 0)", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE items ADD CONSTRAINT items_qty_check CHECK (qty > 0) NOT VALID", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email)", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE items ADD PRIMARY KEY (id)", runs, LockMode::access_exclusive},
    {"ALTER TABLE payments VALIDATE CONSTRAINT payments_order_fk", runs,
     LockMode::share_update_exclusive},
    {"ALTER TABLE payments VALIDATE CONSTRAINT payments_amount_check", runs,
     LockMode::share_update_exclusive},
    {"ALTER TABLE payments DROP CONSTRAINT payments_order_fk", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE", runs,
     LockMode::access_exclusive},
    {"ALTER TABLE customers DISABLE TRIGGER customers_touch", runs, LockMode::share_row_exclusive},
    {"ALTER TABLE customers ENABLE TRIGGER customers_touch", runs, LockMode::share_row_exclusive},
    {"ALTER TABLE orders DISABLE TRIGGER ALL", runs, LockMode::share_row_exclusive},
    {"ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO "
     "('2026-01-01')",
     runs, LockMode::access_exclusive},
    {"ALTER TABLE events DETACH PARTITION events_2024", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers RENAME TO clients", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers RENAME COLUMN name TO full_name", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders RENAME CONSTRAINT orders_customer_id_fkey TO orders_customer_fk", runs,
     LockMode::access_exclusive},
    {"ALTER INDEX orders_customer_idx RENAME TO orders_by_customer", runs,
     LockMode::share_update_exclusive},
    {"ALTER TABLE orders SET (fillfactor = 70)", runs, LockMode::share_update_exclusive},
    {"ALTER TABLE orders SET (autovacuum_enabled = false)", runs, LockMode::share_update_exclusive},
    {"ALTER TABLE orders RESET (fillfactor)", runs, LockMode::share_update_exclusive},
    {"ALTER TABLE orders CLUSTER ON orders_customer_idx", runs, LockMode::share_update_exclusive},
    {"ALTER TABLE orders SET WITHOUT CLUSTER", runs, LockMode::share_update_exclusive},
    {"ALTER TABLE orders SET TABLESPACE pg_default", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders SET ACCESS METHOD heap", runs, LockMode::access_exclusive},
    {"ALTER TABLE audit_log SET UNLOGGED", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers REPLICA IDENTITY FULL", runs, LockMode::access_exclusive},
    {"ALTER TABLE orders ENABLE ROW LEVEL SECURITY", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers FORCE ROW LEVEL SECURITY", runs, LockMode::access_exclusive},
    {"ALTER TABLE customers OWNER TO CURRENT_USER", runs, LockMode::access_exclusive},
    {"ALTER VIEW active_customers RENAME TO current_customers", runs, LockMode::access_exclusive},
    {"ALTER MATERIALIZED VIEW order_totals RENAME TO totals_by_customer", runs,
     LockMode::access_exclusive},
    {"ALTER TYPE mood ADD VALUE 'meh'", runs, LockMode::none},
    // Indexes.
    {"CREATE INDEX orders_total_idx ON orders (total)", runs, LockMode::share},
    {"CREATE UNIQUE INDEX customers_email_idx ON customers (email)", runs, LockMode::share},
    {"CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id)", runs,
     LockMode::share},
    {"CREATE INDEX events_payload_idx ON events (payload)", runs, LockMode::share},
    {"CREATE INDEX order_totals_total_idx ON order_totals (total)", runs, LockMode::share},
    {"CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)", refused,
     LockMode::share_update_exclusive, "orders"},
    {"DROP INDEX orders_customer_idx", runs, LockMode::access_exclusive},
    {"DROP INDEX IF EXISTS orders_customer_idx", runs, LockMode::access_exclusive},
    {"DROP INDEX CONCURRENTLY orders_customer_idx", refused, LockMode::share_update_exclusive,
     "orders"},
    {"REINDEX TABLE orders", runs, LockMode::access_exclusive},
    {"REINDEX INDEX orders_customer_idx", runs, LockMode::access_exclusive},
    {"REINDEX TABLE CONCURRENTLY orders", refused, LockMode::share_update_exclusive, "orders"},
    {"REINDEX INDEX CONCURRENTLY orders_customer_idx", refused, LockMode::share_update_exclusive,
     "orders"},
    // Emptying and dropping.
    {"TRUNCATE audit_log", runs, LockMode::access_exclusive},
    {"TRUNCATE customers CASCADE", runs, LockMode::access_exclusive},
    {"TRUNCATE payments", runs, LockMode::access_exclusive},
    {"TRUNCATE events", runs, LockMode::access_exclusive},
    {"DROP TABLE audit_log", runs, LockMode::access_exclusive},
    {"DROP TABLE IF EXISTS audit_log", runs, LockMode::access_exclusive},
    {"DROP TABLE payments", runs, LockMode::access_exclusive},
    {"DROP TABLE customers CASCADE", runs, LockMode::access_exclusive},
    {"DROP MATERIALIZED VIEW order_totals", runs, LockMode::access_exclusive},
    {"DROP SEQUENCE invoice_seq", runs, LockMode::access_exclusive},
    {"DROP TYPE mood", runs, LockMode::none},
    // Maintenance.
    {"CLUSTER orders USING orders_pkey", runs, LockMode::access_exclusive},
    {"CLUSTER orders", runs, LockMode::access_exclusive},
    {"VACUUM orders", refused, LockMode::share_update_exclusive, "orders"},
    {"VACUUM FULL orders", refused, LockMode::access_exclusive, "orders"},
    {"VACUUM (ANALYZE) customers", refused, LockMode::share_update_exclusive, "customers"},
    {"ANALYZE orders", runs, LockMode::share_update_exclusive},
    {"REFRESH MATERIALIZED VIEW order_totals", runs, LockMode::access_exclusive},
    {"REFRESH MATERIALIZED VIEW order_totals WITH NO DATA", runs, LockMode::access_exclusive},
    {"REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals", runs, LockMode::exclusive},
    // Explicit locks.
    {"LOCK TABLE customers IN ACCESS SHARE MODE", runs, LockMode::access_share},
    {"LOCK TABLE customers IN ROW SHARE MODE", runs, LockMode::row_share},
    {"LOCK TABLE customers IN ROW EXCLUSIVE MODE", runs, LockMode::row_exclusive},
    {"LOCK TABLE customers IN SHARE UPDATE EXCLUSIVE MODE", runs, LockMode::share_update_exclusive},
    {"LOCK TABLE customers IN SHARE MODE", runs, LockMode::share},
    {"LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE", runs, LockMode::share_row_exclusive},
    {"LOCK TABLE customers IN EXCLUSIVE MODE", runs, LockMode::exclusive},
    {"LOCK TABLE customers IN ACCESS EXCLUSIVE MODE", runs, LockMode::access_exclusive},
    {"LOCK customers", runs, LockMode::access_exclusive},
    {"LOCK TABLE customers, orders IN SHARE MODE", runs, LockMode::share},
    {"LOCK TABLE events IN EXCLUSIVE MODE", runs, LockMode::exclusive},
    {"LOCK TABLE active_customers", runs, LockMode::access_exclusive},
    // Triggers, rules, comments, new relations, privileges.
    {"CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()",
     runs, LockMode::share_row_exclusive},
    {"CREATE TRIGGER events_touch BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION touch()",
     runs, LockMode::share_row_exclusive},
    {"DROP TRIGGER customers_touch ON customers", runs, LockMode::access_exclusive},
    {"CREATE RULE audit_log_readonly AS ON INSERT TO audit_log DO INSTEAD NOTHING", runs,
     LockMode::access_exclusive},
    {"CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id))",
     runs, LockMode::share_row_exclusive},
    {"CREATE TABLE notes (id int PRIMARY KEY, body text)", runs, LockMode::none},
    {"CREATE TABLE vip_customers () INHERITS (customers)", runs, LockMode::share_update_exclusive},
    {"CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO "
     "('2027-01-01')",
     runs, LockMode::access_exclusive},
    {"CREATE TABLE orders_copy AS SELECT * FROM orders", runs, LockMode::access_share},
    {"CREATE MATERIALIZED VIEW customer_counts AS SELECT status, count(*) FROM customers GROUP BY "
     "status",
     runs, LockMode::access_share},
    {"CREATE OR REPLACE VIEW active_customers AS "
     "SELECT id, email FROM customers WHERE status = 'active'",
     runs, LockMode::access_exclusive},
    {"GRANT SELECT ON customers TO PUBLIC", runs, LockMode::none},
    {"REVOKE SELECT ON orders FROM PUBLIC", runs, LockMode::none},
    {"DO $$BEGIN PERFORM 1; END$$", runs, LockMode::none},
    {"SET lock_timeout = '1s'", runs, LockMode::none},
    // Refused in a transaction, touching no relation: only that is checked.
    {"CREATE DATABASE agreement_scratch", refused, std::nullopt},
    {"DROP DATABASE IF EXISTS not_there", refused, std::nullopt},
    {"DROP TABLESPACE IF EXISTS not_there", refused, std::nullopt},
    {"ALTER SYSTEM SET work_mem = '8MB'", refused, std::nullopt},
    // Locks taken by planning, comments, policies, statistics, views and sequences.
    {"SELECT nextval('invoice_seq')", runs, LockMode::row_exclusive},
    {"SELECT setval('invoice_seq', 5)", runs, LockMode::row_exclusive},
    {"EXPLAIN SELECT * FROM orders", runs, LockMode::access_share},
    {"ALTER SEQUENCE invoice_seq RESTART WITH 100", runs, LockMode::share_row_exclusive},
    {"DROP VIEW active_customers", runs, LockMode::access_exclusive},
    {"CREATE POLICY orders_own ON orders USING (true)", runs, LockMode::access_exclusive},
    {"COMMENT ON TABLE customers IS 'people who order'", runs, LockMode::share_update_exclusive},
    {"COMMENT ON COLUMN customers.email IS 'where to write'", runs,
     LockMode::share_update_exclusive},
    {"COMMENT ON INDEX orders_customer_idx IS 'for joins'", runs, LockMode::share_update_exclusive},
    {"CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100", runs,
     LockMode::access_share},
    {"CREATE TABLE orders_like (LIKE orders)", runs, LockMode::access_share},
    {"CREATE STATISTICS orders_stats ON customer_id, total FROM orders", runs,
     LockMode::share_update_exclusive},
    {"CREATE SEQUENCE order_ref_seq OWNED BY orders.id", runs, LockMode::access_share},
    {"CREATE PUBLICATION orders_pub FOR TABLE orders", runs, LockMode::share_update_exclusive},
    {"ANALYZE", runs, LockMode::share_update_exclusive},
    {"VACUUM", refused, LockMode::share_update_exclusive, "orders"},
    {"CLUSTER", refused, LockMode::access_exclusive, "orders"},  // every table marked CLUSTER ON
    {"REINDEX SCHEMA public", refused, LockMode::share, "orders"},
    {"DISCARD ALL", refused, std::nullopt},
    {"ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY", refused,
     LockMode::access_exclusive, "events_2024"},
};

// Statements on which the analyser disagrees with PostgreSQL 15 (what the
// analyser said when this list was made is in the comment). The values are
// PostgreSQL's, so a statement moves to kCorpus unchanged once fixed.
inline constexpr Case kKnownDisagreements[] = {
    // A CASCADE drops dependants nobody named (here the trigger customers_touch,
    // which locks its table); what they are is in the target's catalog only.
    {"DROP FUNCTION touch() CASCADE", runs, LockMode::access_exclusive},
    // On partitioned tables and indexes these cannot run in a transaction
    // block; the analyser cannot tell a partitioned table from its name.
    {"REINDEX TABLE events", refused, std::nullopt},
    {"REINDEX INDEX events_at_idx", refused, std::nullopt},
    {"CLUSTER events USING events_at_idx", refused, LockMode::access_exclusive, "events"},
};

}  // namespace safedb::test::agreement
