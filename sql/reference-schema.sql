-- Reference schema of the built-in example (DDL as in the app). The legacy auth tables exist in the
-- source database but are never mirrored.
CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name varchar(255), email varchar(255) UNIQUE);
CREATE TABLE IF NOT EXISTS accounts (id serial PRIMARY KEY, user_id int REFERENCES users(id) ON DELETE CASCADE, provider varchar(255));
CREATE TABLE IF NOT EXISTS sessions (id serial PRIMARY KEY, user_id int REFERENCES users(id) ON DELETE CASCADE, expires timestamptz);
CREATE TABLE IF NOT EXISTS verification_token (identifier text NOT NULL, token text NOT NULL, expires timestamptz, PRIMARY KEY (identifier, token));

DO $$ BEGIN
  CREATE TYPE speaker_gender AS ENUM ('MALE', 'FEMALE');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE speaker_type AS ENUM ('NORMAL', 'NEURAL');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE story_status AS ENUM ('draft', 'feedback', 'finished');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE TABLE IF NOT EXISTS image (
  id varchar(50) PRIMARY KEY,
  active varchar(255) NOT NULL,
  gilded varchar(255) NOT NULL,
  locked varchar(255) NOT NULL,
  active_lip varchar(6) NOT NULL,
  gilded_lip varchar(6) NOT NULL
);

CREATE TABLE IF NOT EXISTS language (
  id serial PRIMARY KEY,
  name varchar(100) NOT NULL,
  short varchar(10) NOT NULL UNIQUE,
  flag double precision,
  flag_file varchar(50),
  speaker varchar(50),
  default_text varchar(100),
  tts_replace text,
  public boolean NOT NULL DEFAULT false,
  rtl boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS avatar (id serial PRIMARY KEY, link varchar(100) NOT NULL, name varchar(100));

CREATE TABLE IF NOT EXISTS speaker (
  id serial PRIMARY KEY,
  language_id int NOT NULL REFERENCES language(id),
  speaker varchar(50) NOT NULL UNIQUE,
  gender speaker_gender NOT NULL,
  type speaker_type NOT NULL,
  service varchar(50) NOT NULL
);

CREATE TABLE IF NOT EXISTS localization (
  id serial PRIMARY KEY,
  language_id int NOT NULL REFERENCES language(id),
  tag varchar(100) NOT NULL,
  text text NOT NULL,
  UNIQUE (language_id, tag)
);

CREATE TABLE IF NOT EXISTS avatar_mapping (
  id serial PRIMARY KEY,
  avatar_id int NOT NULL REFERENCES avatar(id),
  language_id int NOT NULL REFERENCES language(id),
  name varchar(100),
  speaker varchar(100),
  UNIQUE (avatar_id, language_id)
);

CREATE TABLE IF NOT EXISTS course (
  id serial PRIMARY KEY,
  short varchar(20) UNIQUE,
  learning_language int REFERENCES language(id),
  from_language int REFERENCES language(id),
  public boolean NOT NULL DEFAULT false,
  official boolean NOT NULL DEFAULT false,
  name varchar(255),
  about text,
  conlang boolean DEFAULT false,
  tags varchar(20)[],
  count int,
  learning_language_name varchar(255),
  from_language_name varchar(255),
  contributors varchar(255)[] NOT NULL DEFAULT '{}',
  contributors_past varchar(255)[] NOT NULL DEFAULT '{}',
  todo_count int NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS story (
  id serial PRIMARY KEY,
  duo_id varchar(50),
  name varchar(255),
  set_id int NOT NULL,
  set_index int NOT NULL,
  author int REFERENCES users(id),
  author_change int REFERENCES users(id),
  date timestamptz DEFAULT now(),
  change_date timestamptz DEFAULT now(),
  date_published timestamptz,
  text text,
  public boolean DEFAULT false,
  image varchar(50) REFERENCES image(id),
  course_id int REFERENCES course(id),
  json jsonb,
  status story_status DEFAULT 'draft',
  deleted boolean DEFAULT false,
  todo_count int NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS story_approval (
  id serial PRIMARY KEY,
  story_id int REFERENCES story(id) ON DELETE CASCADE,
  user_id int REFERENCES users(id),
  date timestamptz DEFAULT now(),
  UNIQUE (story_id, user_id)
);

CREATE TABLE IF NOT EXISTS story_done (
  id serial PRIMARY KEY,
  user_id int REFERENCES users(id),
  story_id int REFERENCES story(id) ON DELETE CASCADE,
  time timestamptz DEFAULT now()
);

CREATE INDEX IF NOT EXISTS story_course_id_idx ON story(course_id);
