"""The row count of the organisations and the study groups, and a change counter of the study
groups, kept by PostgreSQL itself (statement triggers), so that the directory knows both with one indexed read
instead of counting 50,000 organisations and hashing 3,000 study groups on every request
(``members.querysets.table_counts``). Every write reaches them, whatever made it: a service, the
admin, a bulk update, raw SQL, COPY or TRUNCATE. SQLite keeps none (the directory counts there).

The version is a new random value at each change, never a number counted up: a rolled-back
change takes its value away with it, and a restored backup brings back the value its rows had,
so one value always means one set of rows (a process keeps the groups it read per version).
"""

from django.db import migrations

TABLES = ("members_organisation", "members_studygroup")

CREATE = [
    """
    CREATE TABLE members_tablecount (
        table_name text PRIMARY KEY,
        row_count bigint NOT NULL,
        version text NOT NULL
    )
    """,
    """
    CREATE FUNCTION members_tablecount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE members_tablecount
        SET row_count = row_count + (SELECT count(*) FROM changed_rows), version = gen_random_uuid()::text
        WHERE table_name = TG_TABLE_NAME;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION members_tablecount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE members_tablecount
        SET row_count = row_count - (SELECT count(*) FROM changed_rows), version = gen_random_uuid()::text
        WHERE table_name = TG_TABLE_NAME;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION members_tablecount_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            UPDATE members_tablecount SET row_count = 0, version = gen_random_uuid()::text
            WHERE table_name = TG_TABLE_NAME;
        ELSE
            UPDATE members_tablecount SET version = gen_random_uuid()::text
            WHERE table_name = TG_TABLE_NAME;
        END IF;
        RETURN NULL;
    END $$
    """,
]


def _triggers(table: str) -> list[str]:
    # The organisations' count moves with inserts and deletes only (an edit of an organisation
    # must not wait for another's); any change of a study group is a new version.
    changed = "UPDATE OR TRUNCATE" if table == "members_studygroup" else "TRUNCATE"
    return [
        f"INSERT INTO members_tablecount SELECT '{table}', count(*), gen_random_uuid()::text "
        f"FROM {table}",
        f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION members_tablecount_inserted()",
        f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION members_tablecount_deleted()",
        f"CREATE TRIGGER {table}_count_update AFTER {changed} ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION members_tablecount_changed()",
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in CREATE + [sql for table in TABLES for sql in _triggers(table)]:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_count_{event} ON {table}")
    for name in ("inserted", "deleted", "changed"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS members_tablecount_{name}()")
    schema_editor.execute("DROP TABLE IF EXISTS members_tablecount")


class Migration(migrations.Migration):
    dependencies = [("members", "0005_reviewer_role")]

    operations = [migrations.RunPython(create, drop)]
