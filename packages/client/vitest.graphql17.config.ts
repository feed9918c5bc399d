import { defineProject } from 'vitest/config';
import { onGraphql17 } from '../../vitest.shared.js';

/** The client's suite again, on graphql 17. */
export default defineProject(onGraphql17(import.meta.dirname, 'client'));
