-- Settings are checked before any HTTP request, and the error names them.
SELECT test.use('parse', 'T01');
SELECT * FROM test.admin('drop-class T01');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 10);

-- The defaults the server boots with (core/settings.hpp, shared by the GUC
-- declarations and the engine's Settings), as the README's settings table
-- lists them. master_key is not listed (GUC_NO_SHOW_ALL).
SELECT name, boot_val, unit, min_val, max_val, enumvals
FROM pg_settings WHERE name LIKE 'impayes_sync.%' ORDER BY name;

-- The master key is never shown, to anyone.
SHOW impayes_sync.master_key;
SELECT current_setting('impayes_sync.master_key');
SELECT setting FROM pg_settings WHERE name = 'impayes_sync.master_key';

-- EXECUTE is revoked from PUBLIC.
CREATE ROLE t01_user;
SELECT has_function_privilege('t01_user', 'impayes_sync(boolean, boolean)', 'EXECUTE') AS can_execute;
SET ROLE t01_user;
SELECT impayes_sync();
-- and the settings are superuser-only.
SET impayes_sync.parse_url = 'http://127.0.0.1:1/parse';
RESET ROLE;

SET impayes_sync.parse_url = '';
SELECT test.summary(impayes_sync()), impayes_sync()->'details';
SET impayes_sync.parse_url = 'ftp://127.0.0.1/parse';
SELECT test.summary(impayes_sync());
SET impayes_sync.parse_url = 'file:///etc/passwd';
SELECT test.summary(impayes_sync());
SELECT test.use('parse');
SET impayes_sync.application_id = '';
SELECT test.summary(impayes_sync());
RESET impayes_sync.application_id;
SET impayes_sync.class_name = '_User';
SELECT test.summary(impayes_sync());
SET impayes_sync.class_name = 'Bad Name';
SELECT test.summary(impayes_sync());
SET impayes_sync.class_name = 'T01';
SET impayes_sync.key_column = '';
SELECT test.summary(impayes_sync());
SET impayes_sync.key_column = 'absent';
SELECT test.summary(impayes_sync());
RESET impayes_sync.key_column;
SET impayes_sync.batch_size = 0;
SET impayes_sync.query_timeout = '-1';

-- Nothing reached Parse: the class was never created.
SELECT * FROM test.admin('count T01');
DROP TABLE impayes;
DROP ROLE t01_user;
