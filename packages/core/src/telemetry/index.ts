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
    context?: unknown,
  ): TelemetrySpan;
}

/** Attributes of a measurement. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** A counter or an up-down counter. */
export interface AddingInstrument {
  /** Adds `value` (negative for an up-down counter going down) to the series of `attributes`. */
  add(value: number, attributes?: MetricAttributes): void;
}

/** A histogram. */
export interface RecordingInstrument {
  /** Records one measurement in the series of `attributes`. */
  record(value: number, attributes?: MetricAttributes): void;
}

/** The part of an OpenTelemetry meter gqlcast uses. */
export interface TelemetryMeter {
  /** A monotonic counter. */
  createCounter(name: string, options?: InstrumentOptions): AddingInstrument;
  /** A counter that may go down (connections open). */
  createUpDownCounter(name: string, options?: InstrumentOptions): AddingInstrument;
  /** A histogram; `advice` suggests its bucket boundaries. */
  createHistogram(
    name: string,
    options?: InstrumentOptions & { advice?: { explicitBucketBoundaries?: number[] } },
  ): RecordingInstrument;
  /** A counter read when the SDK collects. */
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableInstrument;
  /** A gauge read when the SDK collects. */
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableInstrument;
  /** An up-down counter read when the SDK collects. */
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): ObservableInstrument;
}

/** What an instrument is: its description and unit (UCUM: `s`, `By`, `{notification}`). */
export interface InstrumentOptions {
  description?: string;
  unit?: string;
}

/** An asynchronous instrument: read by the SDK when it collects. */
export interface ObservableInstrument {
  /** `callback` reports the instrument's values at each collection. */
  addCallback(callback: ObservableCallback): void;
  /** Stops `callback` reporting (its owner closed). */
  removeCallback(callback: ObservableCallback): void;
}

/** Reports an asynchronous instrument's current values. */
export type ObservableCallback = (result: { observe(value: number, attributes?: MetricAttributes): void }) => void;

/**
 * Asynchronous instruments and their callbacks, kept so that their owner (a server, a layer)
 * stops them all when it closes: a closed owner must not be read at the next collection.
 */
export class Observations {
  readonly #observed: [ObservableInstrument, ObservableCallback][] = [];

  /** `callback` reports `instrument` from now on; nothing happens without an instrument (no meter). */
  add(instrument: ObservableInstrument | undefined, callback: ObservableCallback): void {
    if (instrument === undefined) return;
    instrument.addCallback(callback);
    this.#observed.push([instrument, callback]);
  }

  /** Every callback stops reporting. */
  stop(): void {
    for (const [instrument, callback] of this.#observed) instrument.removeCallback(callback);
    this.#observed.length = 0;
  }
}

interface Api {
  trace: {
    getTracer(name: string, version?: string): Tracer;
    setSpan(context: unknown, span: TelemetrySpan): unknown;
    getActiveSpan(): (TelemetrySpan & { isRecording(): boolean }) | undefined;
  };
  context: { active(): unknown; with<T>(context: unknown, fn: () => T): T };
  propagation: {
    inject(context: unknown, carrier: Record<string, string>): void;
    extract(context: unknown, carrier: Record<string, string>): unknown;
  };
  metrics: { getMeter(name: string, version?: string): TelemetryMeter };
  createNoopMeter(): TelemetryMeter;
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
  /** A trace context that came with a message (see {@link injectTrace}): the span continues that trace. */
  parent?: Record<string, string>,
): TelemetrySpan | undefined {
  const otel = openTelemetry();
  if (otel === undefined) return undefined;
  const context = parent === undefined ? undefined : otel.propagation.extract(otel.context.active(), parent);
  return tracerOf(otel, tracerName).startSpan(name, { kind, attributes }, context);
}

/**
 * Tracers by name, got once: without an SDK the API makes a new proxy tracer on every call, and
 * a proxy tracer follows the SDK once one is registered, so keeping it is correct.
 */
const tracers = new Map<string, Tracer>();

function tracerOf(otel: Api, name: string): Tracer {
  let tracer = tracers.get(name);
  if (tracer === undefined) {
    tracer = otel.trace.getTracer(name);
    tracers.set(name, tracer);
  }
  return tracer;
}

/**
 * The trace context of `span`, as the registered propagator writes it (W3C `traceparent` by
 * default), to travel with a broadcast; `undefined` when there is nothing to carry (no SDK,
 * or no propagator registered).
 */
export function injectTrace(span: TelemetrySpan): Record<string, string> | undefined {
  const otel = openTelemetry();
  if (otel === undefined) return undefined;
  const carrier: Record<string, string> = {};
  otel.propagation.inject(otel.trace.setSpan(otel.context.active(), span), carrier);
  for (const _ in carrier) return carrier;
  return undefined;
}

/**
 * The meter named `name` when a MeterProvider is registered, else `undefined`, so that
 * nothing is counted for nobody. Instruments are made from it once: register the
 * OpenTelemetry SDK before creating the hub or the server.
 */
export function meterOf(name: string): TelemetryMeter | undefined {
  const otel = openTelemetry();
  if (otel === undefined) return undefined;
  const meter = otel.metrics.getMeter(name);
  return meter === otel.createNoopMeter() ? undefined : meter;
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

/**
 * Marks the span active here failed, when one is recording: a failure found where no span of
 * gqlcast's own is at hand (a field's `publish` throwing, inside the received broadcast's span
 * or the subscription's).
 */
export function failActiveSpan(error: unknown): void {
  const span = openTelemetry()?.trace.getActiveSpan();
  if (span?.isRecording()) recordFailure(span, error);
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
