SELECT $$a 'quoted' ; string$$, $tag$ nested $$ inside $tag$, E'esc\'ape\n', U&'\0041', B'101', X'ff';
COMMENT ON TABLE t IS $c$ a ; comment $c$;
SELECT "weird ""ident""" FROM "T";
