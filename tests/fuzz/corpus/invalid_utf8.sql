SELECT 1;
-- bad byte: ÿþ
