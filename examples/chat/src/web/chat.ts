// The chat page: plain DOM and @gqlcast/client (its browser entry, bundled by esbuild).
import { type ClientSubscription, createClient, webSocketTransport } from '@gqlcast/client';

interface ChatMessage {
  chatroom: string;
  text: string;
  sender: string;
  createdAt: string;
}

const endpoint = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
const client = createClient({ transport: webSocketTransport(endpoint) });

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const rooms = ['kittens', 'puppies', 'general'];
let room = new URLSearchParams(location.search).get('room') ?? 'kittens';
let subscription: ClientSubscription<{ onNewChatMessage: ChatMessage }> | undefined;
let me: string | null = null;

const status = $('#status');
client.on('connected', () => setStatus('connected'));
client.on('reconnecting', ({ attempt }) => setStatus(`reconnecting (attempt ${attempt})…`));
client.on('closed', () => setStatus('disconnected'));

function setStatus(text: string): void {
  status.textContent = text;
  status.dataset.state = text.split(' ')[0] ?? '';
}

function renderRooms(): void {
  const list = $('#rooms');
  list.replaceChildren(
    ...rooms.map((name) => {
      const button = document.createElement('button');
      button.textContent = `# ${name}`;
      button.className = name === room ? 'room active' : 'room';
      button.dataset.room = name;
      button.addEventListener('click', () => void enterRoom(name));
      return button;
    }),
  );
  $('#room-title').textContent = `# ${room}`;
}

function renderMessage(message: ChatMessage, mine = false): void {
  const list = $('#messages');
  const item = document.createElement('li');
  item.className = mine ? 'message mine' : 'message';
  item.dataset.testid = 'message';
  const time = new Date(message.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const header = document.createElement('div');
  header.className = 'meta';
  header.innerHTML = '<strong></strong> <time></time>';
  (header.querySelector('strong') as HTMLElement).textContent = message.sender;
  (header.querySelector('time') as HTMLElement).textContent = time;
  const text = document.createElement('p');
  text.textContent = message.text;
  item.append(header, text);
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

async function enterRoom(name: string): Promise<void> {
  room = name;
  history.replaceState(null, '', `?room=${encodeURIComponent(name)}`);
  renderRooms();
  subscription?.complete();
  $('#messages').replaceChildren();
  // Subscribe first and wait until it is active, then read the history: nothing falls in between.
  const next = client.subscribe<{ onNewChatMessage: ChatMessage }>({
    query:
      'subscription OnNewChatMessage($chatroom: String) { onNewChatMessage(chatroom: $chatroom) { chatroom text sender createdAt } }',
    variables: { chatroom: name },
  });
  subscription = next;
  await next.ready;
  const result = await client.execute<{ history: ChatMessage[] }>({
    query: 'query History($chatroom: String!) { history(chatroom: $chatroom) { chatroom text sender createdAt } }',
    variables: { chatroom: name },
  });
  for (const message of result.data?.history ?? []) renderMessage(message, message.sender === me);
  document.body.dataset.ready = name;
  for await (const notification of next) {
    if (notification.data) renderMessage(notification.data.onNewChatMessage);
  }
}

async function refreshMe(): Promise<void> {
  const result = await client.execute<{ me: { username: string } | null }>({ query: '{ me { username } }' });
  me = result.data?.me?.username ?? null;
  $('#login-form').hidden = me !== null;
  $('#signed-in').hidden = me === null;
  $('#username-label').textContent = me ?? '';
}

$<HTMLFormElement>('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  const result = await client.execute<{ login: { ok: boolean } }>({
    query:
      'mutation Login($username: String!, $password: String!) { login(username: $username, password: $password) { ok } }',
    variables: { username: String(data.get('username')), password: String(data.get('password')) },
  });
  $('#login-error').hidden = result.data?.login.ok === true;
  await refreshMe();
});

$('#logout').addEventListener('click', async () => {
  await client.execute({ query: 'mutation Logout { logout { ok } }' });
  await refreshMe();
});

$<HTMLFormElement>('#send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('#text');
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  const result = await client.execute<{ sendChatMessage: { ok: boolean } | null }>({
    query:
      'mutation Send($chatroom: String!, $text: String!) { sendChatMessage(chatroom: $chatroom, text: $text) { ok } }',
    variables: { chatroom: room, text },
  });
  // The server never echoes a sender's own message (publish returns SKIP): show it here, once.
  if (result.data?.sendChatMessage?.ok) {
    renderMessage({ chatroom: room, text, sender: me ?? 'Anonymous', createdAt: new Date().toISOString() }, true);
  }
});

renderRooms();
await refreshMe();
await enterRoom(room);
