/* outer /* nested */ still comment */
-- line comment; with semicolon
SELECT 1; -- trailing
/* unterminated? no */ SELECT 2
