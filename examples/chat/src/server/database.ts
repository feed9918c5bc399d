// Messages and users in an SQLite file, through sql.js (SQLite compiled to WebAssembly:
// it installs from npm alone, with no native build). The file is rewritten after each change.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import initSqlJs, { type Database as SqlDatabase } from 'sql.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface StoredMessage {
  readonly chatroom: string;
  readonly text: string;
  readonly sender: string;
  readonly createdAt: Date;
}

export interface User {
  readonly id: string;
  readonly username: string;
}

export interface ChatDatabase {
  history(chatroom: string, limit?: number): StoredMessage[];
  addMessage(message: StoredMessage): void;
  /** The user with this username and password, or null. */
  login(username: string, password: string): Promise<User | null>;
  close(): void;
}

const schema = `
  CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chatroom TEXT NOT NULL,
    text TEXT NOT NULL,
    sender TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS messages_by_room ON messages (chatroom, id);
`;

/** Opens (or creates) the database file; a new one gets the schema and the user `user` / `pass`. */
export async function openDatabase(file: string, log: (line: string) => void = console.log): Promise<ChatDatabase> {
  const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
  const SQL = await initSqlJs({ locateFile: () => wasm });
  const fresh = !existsSync(file);
  const db: SqlDatabase = fresh ? new SQL.Database() : new SQL.Database(readFileSync(file));
  db.run(schema);

  const save = () => {
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename: a crash mid-write never leaves a truncated database.
    writeFileSync(`${file}.tmp`, db.export());
    renameSync(`${file}.tmp`, file);
  };

  if (fresh) {
    db.run('INSERT INTO users (username, password_hash) VALUES (?, ?)', ['user', await hashPassword('pass')]);
    save();
    log(`Created the database ${file} with the user "user" (password "pass").`);
  }

  return {
    history(chatroom, limit = 100) {
      const rows = db.exec(
        'SELECT chatroom, text, sender, created_at FROM messages WHERE chatroom = ? ORDER BY id DESC LIMIT ?',
        [chatroom, limit],
      )[0];
      return (rows?.values ?? [])
        .map(([room, text, sender, createdAt]) => ({
          chatroom: String(room),
          text: String(text),
          sender: String(sender),
          createdAt: new Date(String(createdAt)),
        }))
        .reverse();
    },
    addMessage(message) {
      db.run('INSERT INTO messages (chatroom, text, sender, created_at) VALUES (?, ?, ?, ?)', [
        message.chatroom,
        message.text,
        message.sender,
        message.createdAt.toISOString(),
      ]);
      save();
    },
    async login(username, password) {
      const row = db.exec('SELECT id, password_hash FROM users WHERE username = ?', [username])[0]?.values[0];
      if (row === undefined) return null;
      const [id, hash] = row;
      return (await verifyPassword(password, String(hash))) ? { id: String(id), username } : null;
    },
    close() {
      db.close();
    },
  };
}
