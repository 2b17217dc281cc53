-- A new table and its index: purely additive, nothing existing is touched.
SET lock_timeout = '2s';
SET statement_timeout = '5min';

CREATE TABLE messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mailbox_id  bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    subject     text,
    body        text
);
CREATE INDEX messages_mailbox_idx ON messages (mailbox_id, received_at);

CREATE TABLE message_attachments (
    message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    name       text NOT NULL,
    content    bytea
);
CREATE INDEX message_attachments_message_idx ON message_attachments (message_id);
