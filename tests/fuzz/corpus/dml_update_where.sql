UPDATE accounts SET balance = balance - 10, updated_at = now() WHERE id = 42 RETURNING id;
