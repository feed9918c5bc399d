// gqlcast as a user writes a field first: no `share` on `global` and `shaped` (issue 17). Identical
// subscribers still share one execution per broadcast when the selection is context-free
// (automatic sharing); `publish` runs per subscriber.
import { gqlcastContender } from './gqlcast.js';

export default gqlcastContender({
  id: 'gqlcast-noshare',
  description: 'gqlcast without `share` on global and shaped: automatic sharing only',
  packages: [],
  share: false,
});
