// gqlcast with OpenTelemetry turned off (`telemetry: false` on the hub and the server). Against
// `gqlcast` in the same run (the API installed, no SDK registered) it is what the API alone costs;
// against `gqlcast-otel-sdk`, what an SDK costs (docs/observability.md).
import { gqlcastContender } from './gqlcast.js';

export default gqlcastContender({
  id: 'gqlcast-otel-off',
  description: 'gqlcast with `telemetry: false` on the hub and the server (S1, S2)',
  packages: [],
  telemetry: false,
  scenarios: ['S1', 'S2'],
});
