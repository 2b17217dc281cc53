-- größe ✓ 日本語
INSERT INTO "tâble" (naïve) VALUES ('é😀');
UPDATE t SET x = 'ü' WHERE y = 'ß';
