SELECT $$unterminated
