-- pg_temp.extension_objects(ext): one line per fact about an extension's
-- objects, from the catalogs, for comparing two databases (test 50_upgrade):
-- its members, their ACLs and initial privileges, columns, indexes,
-- constraints, triggers, policies, view and function definitions, types,
-- comments, and which tables pg_dump keeps. Generic: objects added by later
-- update scripts are compared without changes here.
CREATE FUNCTION pg_temp.extension_objects(ext name) RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
WITH e AS (
  SELECT * FROM pg_extension WHERE extname = ext
), m AS (
  SELECT d.classid, d.objid, d.objsubid, pg_describe_object(d.classid, d.objid, d.objsubid) AS what
  FROM pg_depend d, e
  WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
), rel AS (
  SELECT c.*, m.what FROM pg_class c JOIN m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
), fn AS (
  SELECT p.*, m.what FROM pg_proc p JOIN m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
), typ AS (
  SELECT t.*, m.what FROM pg_type t JOIN m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
), idx AS (
  SELECT i.indexrelid, rel.what FROM pg_index i JOIN rel ON rel.oid = i.indrelid
)
SELECT format('extension %s: version %s, schema %s, relocatable %s', extname, extversion,
              extnamespace::regnamespace, extrelocatable) FROM e
UNION ALL
SELECT format('extension %s: pg_dump keeps %s where %L', extname, t.tab::regclass, t.cond)
FROM e, unnest(e.extconfig, e.extcondition) AS t(tab, cond)
UNION ALL
SELECT 'member: ' || what FROM m
UNION ALL
SELECT format('%s: owner %s, acl %s', what, s.nspowner::regrole, s.nspacl)
FROM pg_namespace s JOIN m ON m.classid = 'pg_namespace'::regclass AND m.objid = s.oid
UNION ALL
SELECT format('%s: kind %s, persistence %s, rls %s/%s, options %s, owner %s, acl %s', what, relkind,
              relpersistence, relrowsecurity, relforcerowsecurity, reloptions, relowner::regrole, relacl)
FROM rel
UNION ALL
SELECT format('%s: column %s %s %s, not null %s, default %s, generated %L, identity %L, collation %s, acl %s',
              rel.what, row_number() OVER (PARTITION BY rel.oid ORDER BY a.attnum), a.attname,
              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
              a.attgenerated, a.attidentity, a.attcollation::regcollation, a.attacl)
FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT format('%s: %s', what, pg_get_indexdef(indexrelid)) FROM idx
UNION ALL
SELECT format('%s: constraint %s %s', rel.what, c.conname, pg_get_constraintdef(c.oid))
FROM rel JOIN pg_constraint c ON c.conrelid = rel.oid
UNION ALL
SELECT format('%s: %s', rel.what, pg_get_triggerdef(t.oid))
FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
UNION ALL
SELECT format('%s: policy %s %s %s to %s using %s check %s', rel.what, p.polname, p.polcmd, p.polpermissive,
              p.polroles::regrole[], pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
FROM rel JOIN pg_policy p ON p.polrelid = rel.oid
UNION ALL
SELECT format('%s: view %s', what, pg_get_viewdef(oid)) FROM rel WHERE relkind IN ('v', 'm')
UNION ALL
SELECT format('%s: sequence %s start %s increment %s min %s max %s cache %s cycle %s', rel.what,
              s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
FROM rel JOIN pg_sequence s ON s.seqrelid = rel.oid
UNION ALL
SELECT format('%s: kind %s returns %s, owner %s, acl %s, definition %s', what, prokind,
              pg_get_function_result(oid), proowner::regrole, proacl,
              CASE WHEN prokind <> 'a' THEN pg_get_functiondef(oid) END)
FROM fn
UNION ALL
SELECT format('%s: kind %s, base %s, owner %s, acl %s', what, typtype, typbasetype::regtype, typowner::regrole, typacl)
FROM typ
UNION ALL
SELECT format('%s: label %s %s', typ.what, l.enumsortorder, l.enumlabel)
FROM typ JOIN pg_enum l ON l.enumtypid = typ.oid
UNION ALL
SELECT format('%s: constraint %s %s', typ.what, c.conname, pg_get_constraintdef(c.oid))
FROM typ JOIN pg_constraint c ON c.contypid = typ.oid
UNION ALL
SELECT format('comment on %s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
FROM pg_description d
WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM m)
   OR (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT indexrelid FROM idx))
   OR (d.classoid = 'pg_constraint'::regclass
       AND d.objoid IN (SELECT c.oid FROM pg_constraint c WHERE c.conrelid IN (SELECT oid FROM rel)
                                                            OR c.contypid IN (SELECT oid FROM typ)))
UNION ALL
SELECT format('initial privileges of %s: %s %s', pg_describe_object(i.classoid, i.objoid, i.objsubid),
              i.privtype, i.initprivs)
FROM pg_init_privs i WHERE (i.classoid, i.objoid) IN (SELECT classid, objid FROM m)
$$;
