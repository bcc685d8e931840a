-- A schema written for issue 12 ("any real schema"), not derived from the reference one: the shapes real
-- databases have and the reference schema lacks. Reusable by any test (init, setup, type matrix, partitions).
--   composite primary key (membership), uuid primary key (account), enum (mood), domains (posint, email,
--   duration), arrays (tags, moods, durations), a stored generated column (line_item.total), a partitioned table
--   with two leaves (measurement), a foreign-key cycle (store ↔ staff) and a self-reference (staff.boss_id),
--   a composite foreign key (membership_note), a foreign key to a non-key column (address.country_code),
--   a legacy table to exclude (legacy_users), a table without a primary key (audit_log), and types with no
--   native Convex equivalent (interval, inet, cidr, macaddr, money, point, bit, int4range, xml, time, timetz,
--   tsvector, name).
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN duration AS interval;

CREATE TABLE legacy_users (id int4 PRIMARY KEY, password_hash text NOT NULL);

CREATE TABLE country (id int4 PRIMARY KEY, code char(2) NOT NULL UNIQUE, name varchar(80) NOT NULL);

CREATE TABLE account (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email email NOT NULL,
  mood mood,
  moods mood[],
  tags text[] NOT NULL DEFAULT '{}',
  nickname name,
  session_length duration,
  durations interval[],
  last_ip inet,
  network cidr,
  mac macaddr,
  balance money,
  home point,
  flags bit(4),
  ages int4range,
  profile xml,
  wakes_at time,
  wakes_at_tz timetz,
  fulltext tsvector,
  legacy_user_id int4 REFERENCES legacy_users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org (id int4 PRIMARY KEY, name text NOT NULL, country_id int4 REFERENCES country (id));

CREATE TABLE membership (
  org_id int4 NOT NULL REFERENCES org (id),
  account_id uuid NOT NULL REFERENCES account (id),
  role text NOT NULL,
  PRIMARY KEY (org_id, account_id)
);

CREATE TABLE membership_note (
  id bigserial PRIMARY KEY,
  org_id int4 NOT NULL,
  account_id uuid NOT NULL,
  note text,
  FOREIGN KEY (org_id, account_id) REFERENCES membership (org_id, account_id)
);

CREATE TABLE address (id int4 PRIMARY KEY, country_code char(2) REFERENCES country (code), line text);

CREATE TABLE line_item (
  id bigserial PRIMARY KEY,
  qty posint NOT NULL,
  price numeric(10, 2) NOT NULL,
  total numeric GENERATED ALWAYS AS (qty * price) STORED
);

CREATE TABLE measurement (
  id int8 NOT NULL,
  taken date NOT NULL,
  value float8,
  account_id uuid REFERENCES account (id),
  PRIMARY KEY (id, taken)
) PARTITION BY RANGE (taken);
CREATE TABLE measurement_2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- The cycle: a store has a manager (a staff member), a staff member works in a store.
CREATE TABLE store (id int4 PRIMARY KEY, name text NOT NULL, manager_staff_id int4);
CREATE TABLE staff (id int4 PRIMARY KEY, store_id int4 NOT NULL REFERENCES store (id), boss_id int4 REFERENCES staff (id), name text NOT NULL);
ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff (id);

CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), message text);
