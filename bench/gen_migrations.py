#!/usr/bin/env python3
"""Generates a deterministic file of realistic PostgreSQL migrations.

usage: gen_migrations.py SIZE OUTPUT [--seed N]

SIZE is a byte count with an optional k/M suffix (e.g. 2M). The output is a
sequence of numbered migrations, each a transaction of DDL, data fixes,
PL/pgSQL blocks and functions, with comments and dollar quotes, until the
file reaches SIZE. The same seed always gives the same bytes. Every
statement parses with the PostgreSQL 17 grammar and holds no psql
meta-commands, so both safedb and the raw parser accept the file.
"""

import argparse
import random
import sys

WORDS = """account order invoice payment customer product shipment address session event
message audit tenant user team project task comment attachment tag price stock warehouse
refund coupon review rating report metric job queue token device login""".split()
TYPES = ["bigint", "integer", "smallint", "text", "varchar(255)", "boolean", "timestamptz",
         "date", "numeric(12,2)", "jsonb", "uuid", "inet", "bytea", "double precision",
         "text[]", "interval"]
STATES = ["pending", "active", "archived", "failed", "done", "cancelled"]


class Generator:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.tables = []  # (name, [columns])
        self.serial = 0

    def word(self):
        return self.rnd.choice(WORDS)

    def ident(self, *parts):
        self.serial += 1
        return "_".join(parts) + "_" + str(self.serial)

    def literal(self, type_name):
        r = self.rnd
        if type_name in ("bigint", "integer", "smallint"):
            return str(r.randint(0, 100000))
        if type_name == "boolean":
            return r.choice(["true", "false"])
        if type_name == "timestamptz":
            return "'2024-%02d-%02d 12:00:00+00'" % (r.randint(1, 12), r.randint(1, 28))
        if type_name == "date":
            return "'2023-%02d-%02d'" % (r.randint(1, 12), r.randint(1, 28))
        if type_name.startswith("numeric") or type_name == "double precision":
            return "%d.%02d" % (r.randint(0, 9999), r.randint(0, 99))
        if type_name == "jsonb":
            return "'{\"%s\": %d, \"tags\": [\"%s\"]}'::jsonb" % (self.word(), r.randint(0, 99), self.word())
        if type_name == "uuid":
            return "'%08x-%04x-4%03x-a%03x-%012x'" % (
                r.getrandbits(32), r.getrandbits(16), r.getrandbits(12), r.getrandbits(12), r.getrandbits(48))
        if type_name == "inet":
            return "'10.%d.%d.%d'" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
        if type_name == "bytea":
            return "'\\x%08x'::bytea" % r.getrandbits(32)
        if type_name == "text[]":
            return "ARRAY['%s', '%s']" % (self.word(), self.word())
        if type_name == "interval":
            return "interval '%d days'" % r.randint(1, 90)
        return "'%s %s''s %s'" % (self.word(), self.word(), self.word())

    def pick_table(self):
        return self.rnd.choice(self.tables)

    # --- statements -------------------------------------------------------

    def create_table(self):
        r = self.rnd
        name = self.ident(self.word(), self.word() + "s")
        columns = [("id", "bigint")]
        lines = ["  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        for _ in range(r.randint(8, 40)):
            col = self.ident(self.word())
            t = r.choice(TYPES)
            columns.append((col, t))
            extra = ""
            if r.random() < 0.3:
                extra += " NOT NULL"
            if r.random() < 0.25:
                extra += " DEFAULT " + ("now()" if t == "timestamptz" else self.literal(t))
            if r.random() < 0.05 and self.tables:
                extra += " REFERENCES %s (id) ON DELETE CASCADE" % self.pick_table()[0]
            lines.append("  %s %s%s" % (col, t, extra))
        lines.append("  created_at timestamptz NOT NULL DEFAULT now()")
        lines.append("  updated_at timestamptz")
        columns += [("created_at", "timestamptz"), ("updated_at", "timestamptz")]
        if r.random() < 0.3:
            lines.append("  CONSTRAINT %s_check CHECK (created_at <= coalesce(updated_at, created_at))" % name)
        self.tables.append((name, columns))
        if len(self.tables) > 60:
            self.tables.pop(0)
        comment = "-- %s: one row per %s %s\n" % (name, self.word(), self.word())
        return comment + "CREATE TABLE IF NOT EXISTS public.%s (\n%s\n);" % (name, ",\n".join(lines))

    def alter_table(self):
        r = self.rnd
        name, columns = self.pick_table()
        col, t = r.choice(columns[1:-2])
        if r.random() < 0.08:  # RENAME cannot share an ALTER TABLE with other actions
            return "ALTER TABLE %s RENAME COLUMN %s TO %s;" % (name, col, self.ident(col))
        forms = [
            lambda: "ADD COLUMN %s %s" % (self.ident(self.word()), r.choice(TYPES)),
            lambda: "ADD COLUMN IF NOT EXISTS %s text DEFAULT 'n/a'" % self.ident(self.word()),
            lambda: "ALTER COLUMN %s SET DEFAULT %s" % (col, self.literal(t)),
            lambda: "ALTER COLUMN %s DROP DEFAULT" % col,
            lambda: "ALTER COLUMN %s SET NOT NULL" % col,
            lambda: "ALTER COLUMN %s DROP NOT NULL" % col,
            lambda: "ALTER COLUMN %s TYPE text USING %s::text" % (col, col),
            lambda: "ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id) NOT VALID"
                    % (self.ident(name, "fk"), col, self.pick_table()[0]),
            lambda: "VALIDATE CONSTRAINT %s_check" % name,
            lambda: "ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID" % (self.ident(name, "chk"), col),
            lambda: "DROP COLUMN IF EXISTS %s" % self.ident("legacy"),
            lambda: "SET (fillfactor = %d)" % r.randint(70, 100),
            lambda: "ENABLE ROW LEVEL SECURITY",
        ]
        n = r.randint(1, 3)
        actions = ",\n  ".join(r.choice(forms)() for _ in range(n))
        return "ALTER TABLE %s\n  %s;" % (name, actions)

    def create_index(self):
        r = self.rnd
        name, columns = self.pick_table()
        cols = r.sample(columns[1:], k=min(len(columns) - 1, r.randint(1, 3)))
        conc = "CONCURRENTLY " if r.random() < 0.6 else ""
        unique = "UNIQUE " if r.random() < 0.15 else ""
        where = " WHERE updated_at IS NULL" if r.random() < 0.3 else ""
        method = " USING btree" if r.random() < 0.3 else ""
        return "CREATE %sINDEX %sIF NOT EXISTS %s ON %s%s (%s)%s;" % (
            unique, conc, self.ident(name, "idx"), name, method, ", ".join(c for c, _ in cols), where)

    def insert(self):
        r = self.rnd
        name, columns = self.pick_table()
        cols = r.sample(columns[1:-2], k=min(len(columns) - 3, r.randint(2, 6)))
        rows = []
        for _ in range(r.randint(1, 8)):
            rows.append("(" + ", ".join(self.literal(t) for _, t in cols) + ")")
        tail = " ON CONFLICT DO NOTHING" if r.random() < 0.3 else ""
        return "INSERT INTO %s (%s) VALUES\n  %s%s;" % (
            name, ", ".join(c for c, _ in cols), ",\n  ".join(rows), tail)

    def update(self):
        r = self.rnd
        name, columns = self.pick_table()
        col, t = r.choice(columns[1:-2])
        where = r.choice([
            "id = %d" % r.randint(1, 10 ** 6),
            "id BETWEEN %d AND %d" % (r.randint(1, 1000), r.randint(1001, 5000)),
            "created_at < now() - interval '%d days'" % r.randint(1, 365),
            "%s IS NULL AND id IN (SELECT id FROM %s WHERE updated_at IS NULL LIMIT 1000)" % (col, name),
        ])
        return "UPDATE %s\n   SET %s = %s, updated_at = now()\n WHERE %s;" % (name, col, self.literal(t), where)

    def delete(self):
        r = self.rnd
        name, _ = self.pick_table()
        where = r.choice([
            "id = %d" % r.randint(1, 10 ** 6),
            "created_at < '2020-01-01'",
            "id IN (SELECT id FROM %s ORDER BY id LIMIT %d)" % (name, r.randint(100, 5000)),
        ])
        returning = " RETURNING id" if r.random() < 0.2 else ""
        return "DELETE FROM %s WHERE %s%s;" % (name, where, returning)

    def do_block(self):
        r = self.rnd
        name, columns = self.pick_table()
        col, _ = r.choice(columns[1:-2])
        tag = r.choice(["$$", "$do$", "$backfill$"])
        batch = r.randint(500, 5000)
        body = f"""
DECLARE
  batch integer := {batch};
  moved integer;
  r record;
BEGIN
  -- backfill {col} in batches to keep locks short
  LOOP
    UPDATE {name} SET updated_at = now()
     WHERE id IN (SELECT id FROM {name} WHERE updated_at IS NULL LIMIT batch);
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXIT WHEN moved = 0;
    RAISE NOTICE 'backfilled % rows of {name}', moved;
  END LOOP;
  FOR r IN SELECT indexname FROM pg_indexes WHERE tablename = '{name}' LOOP
    IF r.indexname LIKE '%_old' THEN
      EXECUTE format('DROP INDEX IF EXISTS %I', r.indexname);
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{name}_{col}_chk') THEN
    EXECUTE 'ALTER TABLE {name} ADD CONSTRAINT {name}_{col}_chk CHECK ({col} IS NOT NULL) NOT VALID';
  END IF;
END
"""
        return "DO %s%s%s;" % (tag, body, tag)

    def create_function(self):
        r = self.rnd
        name, columns = self.pick_table()
        fname = self.ident("fn", self.word())
        if r.random() < 0.35:
            return ("CREATE OR REPLACE FUNCTION %s(p_id bigint) RETURNS bigint\n"
                    "LANGUAGE sql STABLE AS $fn$\n  SELECT count(*) FROM %s WHERE id > p_id\n$fn$;"
                    % (fname, name))
        state = r.choice(STATES)
        return f"""CREATE OR REPLACE FUNCTION {fname}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  /* keep updated_at current; '{state}' rows are frozen */
  IF TG_OP = 'UPDATE' AND OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at THEN
    NEW.updated_at := now();
  END IF;
  INSERT INTO audit_log (table_name, op, row_id, at)
  VALUES (TG_TABLE_NAME, TG_OP, NEW.id, now());
  RETURN NEW;
END;
$fn$;
CREATE TRIGGER {fname}_trg BEFORE UPDATE ON {name}
  FOR EACH ROW EXECUTE FUNCTION {fname}();"""

    def misc(self):
        r = self.rnd
        name, _ = self.pick_table()
        return r.choice([
            "COMMENT ON TABLE %s IS $c$Owned by the %s team; see runbook.$c$;" % (name, self.word()),
            "GRANT SELECT, INSERT, UPDATE ON %s TO app_rw;" % name,
            "ANALYZE %s;" % name,
            "CREATE OR REPLACE VIEW %s AS\n  SELECT id, created_at FROM %s WHERE updated_at IS NULL;"
            % (self.ident(name, "v"), name),
            "SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce(max(id), 1)) FROM %s;" % (name, name),
            "WITH stale AS (\n  SELECT id FROM %s WHERE created_at < now() - interval '1 year' LIMIT 100\n)\n"
            "DELETE FROM %s t USING stale WHERE t.id = stale.id;" % (name, name),
        ])

    def migration(self, number):
        r = self.rnd
        parts = ["-- Migration %04d: %s %s\n/*\n * Generated for benchmarks.\n */" % (
            number, self.word(), self.word()),
            "SET lock_timeout = '5s';", "SET statement_timeout = '15min';", "BEGIN;"]
        if not self.tables or r.random() < 0.35:
            parts.append(self.create_table())
        weighted = [(self.alter_table, 5), (self.create_index, 3), (self.insert, 4), (self.update, 4),
                    (self.delete, 2), (self.do_block, 1), (self.create_function, 1), (self.misc, 3)]
        makers = [m for m, w in weighted for _ in range(w)]
        for _ in range(r.randint(3, 12)):
            parts.append(r.choice(makers)())
        parts.append("COMMIT;")
        return "\n".join(parts) + "\n\n"


def parse_size(text):
    text = text.strip()
    scale = {"k": 1024, "K": 1024, "m": 1024 ** 2, "M": 1024 ** 2}.get(text[-1:], 1)
    return int(text[:-1] if scale != 1 else text) * scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="target size in bytes, e.g. 2M or 512k")
    parser.add_argument("output", help="file to write")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    target = parse_size(args.size)
    gen = Generator(args.seed)
    chunks, size, number = [], 0, 1
    while size < target:
        chunk = gen.migration(number)
        chunks.append(chunk)
        size += len(chunk.encode())
        number += 1
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write("".join(chunks))
    print("%s: %d bytes, %d migrations" % (args.output, size, number - 1), file=sys.stderr)


if __name__ == "__main__":
    main()
