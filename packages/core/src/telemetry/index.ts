/**
 * `@gqlcast/core/telemetry`: OpenTelemetry traces, when the application has
 * them. `@opentelemetry/api` is an optional peer dependency: it is looked up
 * once, synchronously; without it, or without an SDK registered, every call
 * here is a no-op (the API's own no-op tracer). Nothing else is needed: with an
 * SDK registered, gqlcast's spans appear (docs/observability.md).
 *
 * The types here are the small part of the API gqlcast uses, written out, so
 * that these declarations do not require `@opentelemetry/api` to be installed.
 */
import { createRequire } from 'node:module';

/** The part of an OpenTelemetry span gqlcast uses. */
export interface TelemetrySpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the status (`2`: error). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Adds an `exception` event. */
  recordException(exception: Error | string): unknown;
  /** Renames the span (an operation is named once its document is parsed). */
  updateName(name: string): unknown;
  /** Ends the span. */
  end(): void;
}

interface Tracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Record<string, string | number | boolean> },
  ): TelemetrySpan;
}

interface Api {
  trace: { getTracer(name: string, version?: string): Tracer; setSpan(context: unknown, span: TelemetrySpan): unknown };
  context: { active(): unknown; with<T>(context: unknown, fn: () => T): T };
}

/** OpenTelemetry's span kinds and status codes, as the API numbers them. */
export const SpanKind = { Server: 1, Producer: 3, Consumer: 4 } as const;
const statusError = 2;

let api: Api | null | undefined;

/** The OpenTelemetry API when it is installed, else `undefined` (looked up once). */
function openTelemetry(): Api | undefined {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as Api;
    } catch {
      // Not installed: telemetry is off, at no cost.
      api = null;
    }
  }
  return api ?? undefined;
}

/**
 * Whether `@opentelemetry/api` is installed. Callers check it before building a span's
 * name and attributes, so tracing costs nothing more than this call without it.
 */
export function tracingAvailable(): boolean {
  return openTelemetry() !== undefined;
}

/**
 * Starts a span on the tracer named `tracerName` (a child of the active span),
 * or returns `undefined` when `@opentelemetry/api` is not installed.
 */
export function startSpan(
  tracerName: string,
  name: string,
  kind: number,
  attributes: Record<string, string | number | boolean>,
): TelemetrySpan | undefined {
  return openTelemetry()?.trace.getTracer(tracerName).startSpan(name, { kind, attributes });
}

/**
 * Runs `fn` with `span` as the active span, so spans started inside it (a broadcast in a
 * resolver) are its children. Without `span` (or the API), runs `fn` as it is.
 */
export function runInSpan<T>(span: TelemetrySpan | undefined, fn: () => T): T {
  const otel = span === undefined ? undefined : openTelemetry();
  if (otel === undefined) return fn();
  return otel.context.with(otel.trace.setSpan(otel.context.active(), span as TelemetrySpan), fn);
}

/** Marks a span failed and records the exception (once: call it where the failure is decided). */
export function recordFailure(span: TelemetrySpan, error: unknown): void {
  const exception = error instanceof Error ? error : String(error);
  span.recordException(exception);
  span.setStatus({ code: statusError, message: error instanceof Error ? error.message : String(error) });
}

/** Ends `span` when `promise` settles: failed if it rejects. Returns `promise` itself. */
export function endWhenSettled<T>(span: TelemetrySpan, promise: Promise<T>): Promise<T> {
  promise.then(
    () => span.end(),
    (error: unknown) => {
      recordFailure(span, error);
      span.end();
    },
  );
  return promise;
}
