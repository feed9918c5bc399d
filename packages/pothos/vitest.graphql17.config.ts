import { defineProject } from 'vitest/config';
import { onGraphql17 } from '../../vitest.shared.js';

/** The Pothos plugin's suite again, on graphql 17. */
export default defineProject(onGraphql17(import.meta.dirname, 'pothos'));
