-- Add a foreign key without locking both tables for a full scan.
-- NOT VALID takes the short lock only; VALIDATE CONSTRAINT then scans under
-- SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.
-- The two steps must commit separately (locks last until commit), so run it
-- with: safedb run FILE --target NAME --per-statement
--
-- EDIT: tables, columns and constraint name.
SET lock_timeout = '2s';
SET statement_timeout = '30min';

ALTER TABLE public.message_attachments
  ADD CONSTRAINT message_attachments_message_fk FOREIGN KEY (message_id) REFERENCES public.messages (id) NOT VALID;

ALTER TABLE public.message_attachments VALIDATE CONSTRAINT message_attachments_message_fk;
