WITH moved AS (
  DELETE FROM queue WHERE state = 'done' RETURNING *
), counted AS (SELECT count(*) AS n FROM moved)
INSERT INTO queue_log (n) SELECT n FROM counted;
