/** The Next.js app of the custom-server recipe (examples/recipes/src/nextjs.ts). */
export default { reactStrictMode: true, eslint: { ignoreDuringBuilds: true } };
