// gqlcast with resumable subscriptions on S5's channel: `room` retains the last 1,000 broadcasts of
// each room (a Redis stream per room; one EVALSHA per broadcast instead of one PUBLISH), and each
// result carries its cursor. S5 against `gqlcast` in the same run is what resuming costs.
import { gqlcastContender } from './gqlcast.js';

export default gqlcastContender({
  id: 'gqlcast-retain',
  description: 'gqlcast with `retain: { count: 1000 }` on the room channel (resumable subscriptions; S5)',
  packages: [],
  retain: { count: 1000 },
});
