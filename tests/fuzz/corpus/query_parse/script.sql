SELECT count() FROM tasks WHERE time IN LAST 1h;;
SHOW SLOS; DROP SLO x;
-- comment
SELECT rate(success) FROM tasks WHERE time >= now() - 1d AND (agent = 'a' OR agent = 'b');
