// Users (and, for a single server, messages) in an SQLite file, through sql.js (SQLite
// compiled to WebAssembly: it installs from npm alone, with no native build). The file is
// rewritten after each change. Servers sharing Redis keep messages there instead
// (message-history.ts): sql.js holds the file in memory, so two processes cannot share it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import initSqlJs, { type Database as SqlDatabase } from 'sql.js';
import type { MessageHistory } from './message-history.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type { StoredMessage } from './message-history.js';

export interface User {
  readonly id: string;
  readonly username: string;
}

export interface ChatDatabase extends MessageHistory {
  /** The user with this username and password, or null. */
  login(username: string, password: string): Promise<User | null>;
}

export interface OpenDatabaseOptions {
  /** Where messages go instead of the SQLite file (Redis, for servers that share it). */
  messages?: MessageHistory | undefined;
  log?: (line: string) => void;
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
export async function openDatabase(file: string, options: OpenDatabaseOptions = {}): Promise<ChatDatabase> {
  const log = options.log ?? console.log;
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

  const sqliteMessages: Omit<MessageHistory, 'close'> = {
    async history(chatroom, limit = 100) {
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
    async addMessage(message) {
      db.run('INSERT INTO messages (chatroom, text, sender, created_at) VALUES (?, ?, ?, ?)', [
        message.chatroom,
        message.text,
        message.sender,
        message.createdAt.toISOString(),
      ]);
      save();
    },
  };
  const messages = options.messages ?? sqliteMessages;

  return {
    history: (chatroom, limit) => messages.history(chatroom, limit),
    addMessage: (message) => messages.addMessage(message),
    async login(username, password) {
      const row = db.exec('SELECT id, password_hash FROM users WHERE username = ?', [username])[0]?.values[0];
      if (row === undefined) return null;
      const [id, hash] = row;
      return (await verifyPassword(password, String(hash))) ? { id: String(id), username } : null;
    },
    async close() {
      db.close();
      await options.messages?.close();
    },
  };
}
