SELECT 1; À¯ overlong
