// The Next.js app of the custom-server recipe: one page, rendered by Next.
export default function Home() {
  return 'Hello from Next.js';
}
