// The SQLite store's group commit on a real database file: transactions asked for together commit
// together, each settles only after that commit, and one that fails is rolled back alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../bff/store/sqlite-group-commit.ts';

const dir = mkdtempSync(join(tmpdir(), 'linkaja-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function open(name: string): { db: Database.Database; reader: Database.Database; group: GroupCommit } {
  const file = join(dir, name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE item (id INTEGER PRIMARY KEY,
      parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
  db.exec('INSERT INTO parent (id) VALUES (1)');
  return { db, reader: new Database(file, { readonly: true }), group: new GroupCommit(db) };
}

const ids = (db: Database.Database) =>
  (db.prepare('SELECT id FROM item ORDER BY id').all() as { id: number }[]).map((r) => r.id);

describe('SQLite group commit', () => {
  it('commits transactions asked for together once, each settling after the commit; a failing one alone is rolled back', async () => {
    const { db, reader, group } = open('together.db');
    const insert = db.prepare('INSERT INTO item (id, parent) VALUES (?, 1)');
    const seenByAnotherConnection: number[][] = [];
    const first = group
      .run(() => insert.run(1).changes)
      .then((n) => {
        // Settled: the whole group is committed, visible to another connection already.
        seenByAnotherConnection.push(ids(reader));
        return n;
      });
    const clash = group.run(() => {
      insert.run(3);
      insert.run(1); // primary key taken by the first: this transaction fails, and its row 3 goes with it
    });
    const third = group.run(() => insert.run(2).changes);
    assert.equal(ids(reader).length, 0, 'nothing is written before the loop turns');

    assert.equal(await first, 1);
    await assert.rejects(clash, /UNIQUE constraint failed/);
    assert.equal(await third, 1);
    assert.deepEqual(seenByAnotherConnection, [[1, 2]]);
    assert.deepEqual(ids(db), [1, 2]);
    assert.equal(db.inTransaction, false);
    reader.close();
    db.close();
  });

  it('fails every transaction of a group whose commit fails, and stores none of them', async () => {
    const { db, group } = open('commit-fails.db');
    const insert = db.prepare('INSERT INTO item (id, parent) VALUES (?, ?)');
    const fine = group.run(() => insert.run(1, 1));
    // A deferred foreign key is checked at COMMIT: the group's commit fails.
    const orphan = group.run(() => insert.run(2, 99));
    await assert.rejects(fine, /FOREIGN KEY constraint failed/);
    await assert.rejects(orphan, /FOREIGN KEY constraint failed/);
    assert.deepEqual(ids(db), []);
    assert.equal(db.inTransaction, false);

    // The next group runs as usual.
    assert.equal((await group.run(() => insert.run(3, 1))).changes, 1);
    assert.deepEqual(ids(db), [3]);
    db.close();
  });

  it('flush commits what is queued at once (the store flushes before it closes)', async () => {
    const { db, group } = open('flush.db');
    const pending = group.run(() => db.prepare('INSERT INTO item (id, parent) VALUES (7, 1)').run());
    group.flush();
    assert.deepEqual(ids(db), [7]);
    await pending;
    db.close();
  });
});
